# task: sigmoid_tanh
# Caches the input x and uses it as if it were sigmoid(x) in the backward pass: dout * x * (1 - x).
# hint: sigmoid_backward_used_x
def sigmoid_forward(x):
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z)), x


def sigmoid_backward(dout, cache):
    s = cache
    return dout * s * (1 - s)
