# task: dropout
# Uses the CS231n convention: p treated as the probability of KEEPING a unit.
# hint: dropout_keep_probability
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    mask = None
    if mode == "train":
        rng = np.random.default_rng(dropout_param.get("seed"))
        mask = (rng.random(x.shape) < p) / p if p > 0 else np.zeros(x.shape)
        out = x * mask
    else:
        out = x.copy()
    return out, (dropout_param, mask)
