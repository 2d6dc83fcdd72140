# A correct submission written independently of the reference: one generic
# "normalise over some axes" helper with its closed-form backward, reused by every layer.
import numpy as np


def _normalise(x, axes, eps):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    return (x - mean) * inv_std, mean, var, inv_std


def _normalise_backward(dxhat, xhat, inv_std, axes):
    m = np.prod([dxhat.shape[a] for a in axes])
    sum_d = dxhat.sum(axis=axes, keepdims=True)
    sum_dx = (dxhat * xhat).sum(axis=axes, keepdims=True)
    return inv_std / m * (m * dxhat - sum_d - xhat * sum_dx)


def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.ones(D, dtype=x.dtype))
    if mode == "train":
        xhat, mean, var, inv_std = _normalise(x, (0,), eps)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mean[0]
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var[0]
        print("debug: batch mean", mean.ravel()[:3])  # leftover debug output must not matter
        return gamma * xhat + beta, (xhat, inv_std, gamma)
    if mode == "test":
        bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
        return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta, None
    raise ValueError(f"invalid mode {mode!r}")


def batchnorm_backward(dout, cache):
    xhat, inv_std, gamma = cache
    # staged: out = gamma * xhat + beta; xhat = xmu * inv_std; inv_std = (var + eps)^-1/2
    N = dout.shape[0]
    dxhat = dout * gamma
    xmu = xhat / inv_std
    dinv_std = np.sum(dxhat * xmu, axis=0)
    dvar = dinv_std * -0.5 * inv_std ** 3
    dxmu = dxhat * inv_std + 2.0 * xmu * dvar / N
    dx = dxmu - dxmu.mean(axis=0)
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)


def batchnorm_backward_alt(dout, cache):
    xhat, inv_std, gamma = cache
    dx = _normalise_backward(dout * gamma, xhat, inv_std, (0,))
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)


def layernorm_forward(x, gamma, beta, ln_param):
    xhat, _, _, inv_std = _normalise(x, (1,), ln_param.get("eps", 1e-5))
    return gamma * xhat + beta, (xhat, inv_std, gamma)


def layernorm_backward(dout, cache):
    xhat, inv_std, gamma = cache
    dx = _normalise_backward(dout * gamma, xhat, inv_std, (1,))
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    flat = x.transpose(0, 2, 3, 1).reshape(-1, C)
    out, cache = batchnorm_forward(flat, gamma, beta, bn_param)
    return out.reshape(N, H, W, C).transpose(0, 3, 1, 2), (cache, x.shape)


def spatial_batchnorm_backward(dout, cache):
    inner, (N, C, H, W) = cache
    dx, dgamma, dbeta = batchnorm_backward_alt(dout.transpose(0, 2, 3, 1).reshape(-1, C), inner)
    return dx.reshape(N, H, W, C).transpose(0, 3, 1, 2), dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    N, C, H, W = x.shape
    grouped = x.reshape(N, G, C // G, H, W)
    xhat, _, _, inv_std = _normalise(grouped, (2, 3, 4), gn_param.get("eps", 1e-5))
    xhat = xhat.reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    return out, (xhat, inv_std, gamma, G)


def spatial_groupnorm_backward(dout, cache):
    xhat, inv_std, gamma, G = cache
    N, C, H, W = dout.shape
    dxhat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, C // G, H, W)
    dx = _normalise_backward(dxhat, xhat.reshape(N, G, C // G, H, W), inv_std, (2, 3, 4)).reshape(N, C, H, W)
    return dx, np.sum(dout * xhat, axis=(0, 2, 3)), np.sum(dout, axis=(0, 2, 3))


def instancenorm_forward(x, gamma, beta, in_param):
    out, (xhat, inv_std, _, _) = spatial_groupnorm_forward(x, gamma, beta, x.shape[1], in_param)
    return out, (xhat, inv_std, gamma, x.shape[1])


def instancenorm_backward(dout, cache):
    return spatial_groupnorm_backward(dout, cache)
