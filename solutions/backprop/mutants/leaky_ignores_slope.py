# task: relu
# Hard-codes the slope 0.01 in the forward pass, ignoring negative_slope.
# hint: leaky_slope_ignored
def leaky_relu_forward(x, negative_slope=0.01):
    return np.where(x > 0, x, 0.01 * x), (x, negative_slope)
