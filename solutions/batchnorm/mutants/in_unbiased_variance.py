# task: instancenorm
# Instance norm with the unbiased variance (ddof=1) of each H x W plane.
# hint: unbiased_variance
def instancenorm_forward(x, gamma, beta, in_param):
    eps = in_param.get("eps", 1e-5)
    C = x.shape[1]
    mu = x.mean(axis=(2, 3), keepdims=True)
    var = x.var(axis=(2, 3), ddof=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    return gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1), (xhat, gamma, inv_std)
