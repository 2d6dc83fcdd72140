# task: dropout
# Divides by (1 - p) unconditionally: p = 1 gives 0/0 = nan instead of zeros.
# hint: dropout_divides_by_zero_at_p_one
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    mask = None
    if mode == "train":
        rng = np.random.default_rng(dropout_param.get("seed"))
        with np.errstate(divide="ignore", invalid="ignore"):
            mask = (rng.random(x.shape) >= p) / np.float64(1 - p)
        out = x * mask
    else:
        out = x.copy()
    return out, (dropout_param, mask)
