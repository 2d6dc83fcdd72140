# task: spatial_bn
# Flattens (N, C, H, W) straight to (-1, C) without moving the channel axis last: channels get mixed.
# hint: reshape_without_transpose
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    out_flat, cache = batchnorm_forward(x.reshape(-1, C), gamma, beta, bn_param)
    return out_flat.reshape(N, C, H, W), cache


def spatial_batchnorm_backward(dout, cache):
    N, C, H, W = dout.shape
    dx, dgamma, dbeta = batchnorm_backward_alt(dout.reshape(-1, C), cache)
    return dx.reshape(N, C, H, W), dgamma, dbeta
