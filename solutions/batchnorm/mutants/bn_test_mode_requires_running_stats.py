# task: bn_forward
# Only train mode falls back to the default running statistics; test mode reads
# bn_param["running_mean"] / ["running_var"] directly (KeyError when they are absent).
_reference_batchnorm_forward = batchnorm_forward


def batchnorm_forward(x, gamma, beta, bn_param):
    if bn_param["mode"] == "test":
        eps = bn_param.get("eps", 1e-5)
        out = gamma * (x - bn_param["running_mean"]) / np.sqrt(bn_param["running_var"] + eps) + beta
        return out, None
    return _reference_batchnorm_forward(x, gamma, beta, bn_param)
