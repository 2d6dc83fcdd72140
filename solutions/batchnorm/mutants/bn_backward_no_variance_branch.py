# task: bn_backward
# Treats the batch variance as a constant: drops the branch of the graph through var.
# hint: dropped_variance_branch
def batchnorm_backward(dout, cache):
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxmu = dout * gamma * ivar
    dmu = -dxmu.sum(axis=0)
    dx = dxmu + dmu / N
    return dx, dgamma, dbeta
