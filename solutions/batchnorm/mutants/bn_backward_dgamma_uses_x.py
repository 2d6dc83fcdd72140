# task: bn_backward
# dgamma multiplies dout by the centred data xmu instead of the normalised xhat (forgets the 1/std).
# hint: dgamma_centred_not_normalised
_reference_batchnorm_backward = batchnorm_backward


def batchnorm_backward(dout, cache):
    dx, _, dbeta = _reference_batchnorm_backward(dout, cache)
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = cache
    return dx, (dout * xmu).sum(axis=0), dbeta
