# task: bn_backward_alt
# dgamma sums dout * x (the layer's input) instead of dout * xhat.
# hint: dgamma_used_x
_reference_batchnorm_forward = batchnorm_forward
_reference_batchnorm_backward_alt = batchnorm_backward_alt
_inputs = {}  # id(cache) -> the x it was computed from (the reference cache has no x)


def batchnorm_forward(x, gamma, beta, bn_param):
    out, cache = _reference_batchnorm_forward(x, gamma, beta, bn_param)
    _inputs[id(cache)] = x
    return out, cache


def batchnorm_backward_alt(dout, cache):
    dx, _, dbeta = _reference_batchnorm_backward_alt(dout, cache)
    return dx, (dout * _inputs[id(cache)]).sum(axis=0), dbeta
