# task: groupnorm
# Backward forgets to multiply dout by gamma before propagating through the normalisation.
# hint: dx_forgot_gamma
def spatial_groupnorm_backward(dout, cache):
    xhat, gamma, inv_std, G = cache
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    g = dout.reshape(N, G, -1)
    xh = xhat.reshape(N, G, -1)
    M = g.shape[2]
    dx = (inv_std / M) * (M * g - g.sum(axis=2, keepdims=True) - xh * (g * xh).sum(axis=2, keepdims=True))
    return dx.reshape(N, C, H, W), dgamma, dbeta
