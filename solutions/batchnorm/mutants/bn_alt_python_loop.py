# task: bn_backward_alt
# Correct closed form, but written as a Python loop over the samples of the batch (too slow).
def batchnorm_backward_alt(dout, cache):
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    g = dout * gamma
    sum_g = g.sum(axis=0)
    sum_gx = (g * xhat).sum(axis=0)
    dx = np.empty_like(dout)
    for i in range(N):
        dx[i] = (ivar / N) * (N * g[i] - sum_g - xhat[i] * sum_gx)
    return dx, dgamma, dbeta
