# task: newton
# Sign error: x + solve(H, g) (moves uphill along the Newton direction).
# hint: newton_step_added
def newton_step(x, g, H):
    return x + np.linalg.solve(H, g)
