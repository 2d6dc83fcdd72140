# task: bn_forward
# Updates the running statistics after the if/else, in test mode too (with the test batch's statistics).
_reference_batchnorm_forward = batchnorm_forward


def batchnorm_forward(x, gamma, beta, bn_param):
    out, cache = _reference_batchnorm_forward(x, gamma, beta, bn_param)
    if bn_param["mode"] == "test":
        momentum = bn_param.get("momentum", 0.9)
        bn_param["running_mean"] = momentum * bn_param["running_mean"] + (1 - momentum) * x.mean(axis=0)
        bn_param["running_var"] = momentum * bn_param["running_var"] + (1 - momentum) * x.var(axis=0)
    return out, cache
