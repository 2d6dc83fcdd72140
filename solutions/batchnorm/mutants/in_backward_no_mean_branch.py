# task: instancenorm
# Backward drops the gradient through the per-plane mean (keeps the variance branch only).
# hint: dropped_mean_branch
def instancenorm_backward(dout, cache):
    xhat, gamma, inv_std = cache
    N, C, H, W = dout.shape
    M = H * W
    g = dout * gamma.reshape(1, C, 1, 1)
    dx = (inv_std / M) * (M * g - xhat * (g * xhat).sum(axis=(2, 3), keepdims=True))
    return dx, (dout * xhat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))
