# task: bn_forward
# Leaves eps out: divides by sqrt(var) in train mode and by sqrt(running_var) in test mode.
# hint: forgot_eps
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.ones(D, dtype=x.dtype))
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        xhat = (x - mu) / np.sqrt(var)
        out = gamma * xhat + beta
        cache = (xhat, gamma, x - mu, 1 / np.sqrt(var), np.sqrt(var), var, 0.0)
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        out = gamma * (x - running_mean) / np.sqrt(running_var) + beta
        cache = None
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache
