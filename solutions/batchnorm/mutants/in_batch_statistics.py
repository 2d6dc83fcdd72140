# task: instancenorm
# Copied from spatial batch norm: the statistics of each channel are taken over (N, H, W) instead of (H, W).
# hint: spatial_batch_statistics
def instancenorm_forward(x, gamma, beta, in_param):
    eps = in_param.get("eps", 1e-5)
    C = x.shape[1]
    mu = x.mean(axis=(0, 2, 3), keepdims=True)
    var = ((x - mu) ** 2).mean(axis=(0, 2, 3), keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, gamma, inv_std)
