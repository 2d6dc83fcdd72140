# task: dropout
# Tests the seed with `if seed:`, so seed=0 is taken as "no seed": two calls with seed 0
# give different masks (API.md: same seed, same mask).
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    mask = None
    if mode == "train":
        seed = dropout_param.get("seed")
        rng = np.random.default_rng(seed) if seed else np.random.default_rng()
        if p >= 1:
            mask = np.zeros(x.shape)
        else:
            mask = (rng.random(x.shape) >= p) / (1 - p)
        out = x * mask
    else:
        out = x.copy()
    return out, (dropout_param, mask)
