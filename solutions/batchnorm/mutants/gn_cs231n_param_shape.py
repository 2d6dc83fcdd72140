# task: groupnorm
# CS231n's group norm keeps dgamma/dbeta in gamma's (1, C, 1, 1) shape (sum with keepdims=True).
# hint: cs231n_param_shape
_reference_spatial_groupnorm_backward = spatial_groupnorm_backward


def spatial_groupnorm_backward(dout, cache):
    dx, dgamma, dbeta = _reference_spatial_groupnorm_backward(dout, cache)
    return dx, dgamma.reshape(1, -1, 1, 1), dbeta.reshape(1, -1, 1, 1)
