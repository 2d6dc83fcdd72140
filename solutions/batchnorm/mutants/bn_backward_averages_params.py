# task: bn_backward
# Averages dgamma and dbeta over the batch instead of summing them.
# hint: averaged_parameter_gradients
_reference_batchnorm_backward = batchnorm_backward


def batchnorm_backward(dout, cache):
    dx, _, _ = _reference_batchnorm_backward(dout, cache)
    xhat = cache[0]
    return dx, (dout * xhat).mean(axis=0), dout.mean(axis=0)
