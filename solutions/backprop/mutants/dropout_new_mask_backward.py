# task: dropout
# Backward draws a fresh random mask instead of reusing the forward pass's mask.
def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        p = dropout_param["p"]
        if p >= 1:
            return np.zeros_like(dout)
        return dout * (np.random.random(dout.shape) >= p) / (1 - p)
    return dout.copy()
