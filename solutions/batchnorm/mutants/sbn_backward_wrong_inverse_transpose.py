# task: spatial_bn
# Backward undoes the (N, H, W, C) layout with transpose(0, 3, 2, 1): H and W swapped (hidden by square inputs).
def spatial_batchnorm_backward(dout, cache):
    N, C, H, W = dout.shape
    dout_flat = dout.transpose(0, 3, 2, 1).reshape(-1, C)
    dx_flat, dgamma, dbeta = batchnorm_backward_alt(dout_flat, cache)
    dx = dx_flat.reshape(N, W, H, C).transpose(0, 3, 2, 1)
    return dx, dgamma, dbeta
