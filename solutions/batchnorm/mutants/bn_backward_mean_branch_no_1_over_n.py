# task: bn_backward
# Forgets the 1/N when sending the mean's gradient back to every sample (dx2 = dmu instead of dmu / N).
# hint: mean_branch_missing_1_over_n
def batchnorm_backward(dout, cache):
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    divar = (dxhat * xmu).sum(axis=0)
    dxmu1 = dxhat * ivar
    dsqrtvar = -divar / sqrtvar ** 2
    dvar = 0.5 * dsqrtvar / np.sqrt(var + eps)
    dsq = np.ones_like(dout) * dvar / N
    dxmu2 = 2 * xmu * dsq
    dxmu = dxmu1 + dxmu2
    dmu = -dxmu.sum(axis=0)
    dx = dxmu + np.ones_like(dout) * dmu
    return dx, dgamma, dbeta
