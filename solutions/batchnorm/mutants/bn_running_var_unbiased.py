# task: bn_forward
# Normalises with the biased variance but updates running_var with the unbiased one (torch's running_var does).
# hint: running_var_unbiased
_reference_batchnorm_forward = batchnorm_forward


def batchnorm_forward(x, gamma, beta, bn_param):
    D = x.shape[1]
    old_var = bn_param.get("running_var", np.ones(D, dtype=x.dtype))
    out, cache = _reference_batchnorm_forward(x, gamma, beta, bn_param)
    if bn_param["mode"] == "train":
        momentum = bn_param.get("momentum", 0.9)
        bn_param["running_var"] = momentum * old_var + (1 - momentum) * x.var(axis=0, ddof=1)
    return out, cache
