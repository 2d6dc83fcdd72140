# task: sigmoid_tanh
# A stable forward, but the backward caches x and recomputes the textbook 1 / (1 + exp(-x)):
# right values, yet exp overflows for x < -709 and raises RuntimeWarnings in the backward pass.
def sigmoid_forward(x):
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z)), x


def sigmoid_backward(dout, cache):
    s = 1.0 / (1.0 + np.exp(-cache))
    return dout * s * (1 - s)
