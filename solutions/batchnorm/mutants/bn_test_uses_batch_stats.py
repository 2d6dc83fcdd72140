# task: bn_forward
# Test mode normalises with the statistics of the test batch instead of the running averages.
# hint: test_mode_batch_statistics
_reference_batchnorm_forward = batchnorm_forward


def batchnorm_forward(x, gamma, beta, bn_param):
    if bn_param["mode"] == "test":
        eps = bn_param.get("eps", 1e-5)
        out = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta
        return out, None
    return _reference_batchnorm_forward(x, gamma, beta, bn_param)
