# task: elu
# Backward for x <= 0 uses exp(x) and forgets alpha (the gradient is alpha * exp(x)); at x == 0 that
# is dout, where API.md fixes alpha * dout.
# hint: elu_backward_no_alpha
# hint: elu_gradient_one_at_zero
def elu_backward(dout, cache):
    x, out, alpha = cache
    return np.where(x > 0, dout, dout * np.exp(np.minimum(x, 0)))
