# task: bn_backward_alt
# Closed form that forgets to multiply dout by gamma before normalising the gradient.
# hint: dx_forgot_gamma
def batchnorm_backward_alt(dout, cache):
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dx = (ivar / N) * (N * dout - dout.sum(axis=0) - xhat * (dout * xhat).sum(axis=0))
    return dx, dgamma, dbeta
