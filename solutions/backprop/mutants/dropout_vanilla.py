# task: dropout
# Vanilla (non-inverted) dropout as in the original paper: no scale at train time, outputs
# multiplied by (1 - p) at test time; the backward is consistent with that forward.
# hint: dropout_no_inverted_scale
# hint: dropout_scaled_at_test_time
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if mode == "test":
        return x * (1 - p), (dropout_param, None)
    mask = (np.random.default_rng(dropout_param.get("seed")).random(x.shape) >= p) * 1.0
    return x * mask, (dropout_param, mask)


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "test":
        return dout * (1 - dropout_param["p"])
    return dout * mask
