# task: layernorm
# Layer norm computed like batch norm: statistics over the batch axis 0 instead of each sample's features.
# hint: batch_statistics
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mu = x.mean(axis=0, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=0, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    return gamma * xhat + beta, (xhat, gamma, inv_std)


def layernorm_backward(dout, cache):
    xhat, gamma, inv_std = cache
    N = dout.shape[0]
    g = dout * gamma
    dx = (inv_std / N) * (N * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
