# task: dropout
# Keeps a 0/1 mask in the cache and scales in the forward pass, but forgets the 1/(1-p) in the backward.
# hint: dropout_backward_no_scale
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if mode == "test":
        return x.copy(), (dropout_param, None)
    rng = np.random.default_rng(dropout_param.get("seed"))
    keep = rng.random(x.shape) >= p
    out = np.where(keep, x / (1 - p), 0.0) if p < 1 else np.zeros(x.shape)
    return out, (dropout_param, keep)


def dropout_backward(dout, cache):
    dropout_param, keep = cache
    if dropout_param["mode"] == "test":
        return dout.copy()
    return dout * keep
