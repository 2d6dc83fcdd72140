# task: sigmoid_tanh
# tanh backward uses 1 - x**2 (the input) instead of 1 - tanh(x)**2 (the output).
# hint: tanh_backward_used_x
def tanh_forward(x):
    return np.tanh(x), x


def tanh_backward(dout, cache):
    x = cache
    return dout * (1 - x * x)
