# task: relu
# Leaky ReLU backward with x >= 0 for the linear branch: gradient 1 at exactly 0 instead of negative_slope.
# hint: leaky_gradient_one_at_zero
def leaky_relu_backward(dout, cache):
    x, negative_slope = cache
    return np.where(x >= 0, dout, negative_slope * dout)
