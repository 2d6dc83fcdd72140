# task: bn_backward_alt
# Treats the batch mean and variance as constants: dx = dout * gamma / sqrt(var + eps).
# hint: batch_statistics_constant
def batchnorm_backward_alt(dout, cache):
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = cache
    return dout * gamma * ivar, (dout * xhat).sum(axis=0), dout.sum(axis=0)
