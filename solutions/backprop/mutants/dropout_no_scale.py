# task: dropout
# Plain (non-inverted) dropout in train mode: kept units are not scaled by 1/(1-p).
# hint: dropout_no_inverted_scale
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    mask = None
    if mode == "train":
        rng = np.random.default_rng(dropout_param.get("seed"))
        mask = (rng.random(x.shape) >= p) * 1.0
        out = x * mask
    else:
        out = x.copy()
    return out, (dropout_param, mask)
