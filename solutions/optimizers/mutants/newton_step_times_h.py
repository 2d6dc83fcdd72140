# task: newton
# Multiplies by the Hessian instead of solving with it: x - H @ g.
# hint: newton_step_times_h
def newton_step(x, g, H):
    return x - H @ g
