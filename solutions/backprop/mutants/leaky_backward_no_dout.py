# task: relu
# Leaky ReLU backward returns the local derivative and forgets to multiply by dout.
# hint: backward_without_dout
def leaky_relu_backward(dout, cache):
    x, negative_slope = cache
    return np.where(x > 0, 1.0, negative_slope) * np.ones_like(dout)
