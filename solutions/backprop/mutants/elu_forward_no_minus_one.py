# task: elu
# Forgets the -1 in alpha * (exp(x) - 1) in the forward pass (the backward, alpha * exp(x), is right).
# hint: elu_forgot_minus_one
def elu_forward(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0))), (x, alpha)


def elu_backward(dout, cache):
    x, alpha = cache
    return np.where(x > 0, dout, dout * alpha * np.exp(np.minimum(x, 0)))
