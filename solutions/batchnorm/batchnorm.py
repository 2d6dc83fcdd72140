"""Normalisation layers in NumPy: batch norm, layer norm, spatial batch norm,
group norm and instance norm.

Every layer is a pair ``*_forward(...) -> (out, cache)`` and
``*_backward(dout, cache) -> (dx, dgamma, dbeta)``. The ``cache`` is yours:
put in it whatever the backward pass needs. All functions must work for
float64 and float32 inputs; use only NumPy.

Notation used in the docstrings: N is the batch size, D the number of
features, C the number of channels, H and W the spatial size.
"""

import numpy as np


def batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass of batch normalisation.

    Train mode: normalise every feature with the mean and the *biased*
    variance of the mini-batch, then scale by ``gamma`` and shift by ``beta``.
    Also update exponentially decaying running averages (CS231n's rule)::

        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var  = momentum * running_var  + (1 - momentum) * sample_var

    and store both back in ``bn_param``. Test mode: normalise with the running
    statistics instead of the batch ones.

    Inputs:
    - x: data, shape (N, D)
    - gamma: scale parameter, shape (D,)
    - beta: shift parameter, shape (D,)
    - bn_param: dict with keys
      - mode: 'train' or 'test' (required)
      - eps: constant for numeric stability (default 1e-5)
      - momentum: constant for the running averages (default 0.9)
      - running_mean: shape (D,), running mean of the features (default zeros)
      - running_var: shape (D,), running variance of the features (default ones)

    Returns a tuple of:
    - out: shape (N, D)
    - cache: whatever batchnorm_backward needs (train mode); anything in test mode
    """
    # BEGIN SOLUTION
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.ones(D, dtype=x.dtype))

    if mode == "train":
        # The staged computational graph: one small step per node, so that the
        # backward pass can walk it in reverse.
        mu = x.mean(axis=0)                 # (D,)   step 1: batch mean
        xmu = x - mu                        # (N, D) step 2: centre
        sq = xmu ** 2                       # (N, D) step 3: square
        var = sq.mean(axis=0)               # (D,)   step 4: biased variance
        sqrtvar = np.sqrt(var + eps)        # (D,)   step 5: standard deviation
        ivar = 1.0 / sqrtvar                # (D,)   step 6: its inverse
        xhat = xmu * ivar                   # (N, D) step 7: normalised data
        out = gamma * xhat + beta           # (N, D) step 8: scale and shift
        cache = (xhat, gamma, xmu, ivar, sqrtvar, var, eps)

        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
    elif mode == "test":
        xhat = (x - running_mean) / np.sqrt(running_var + eps)
        out = gamma * xhat + beta
        cache = None
    else:
        raise ValueError(f"invalid batch norm mode {mode!r}")

    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache
    # END SOLUTION


def batchnorm_backward(dout, cache):
    """Backward pass of batch normalisation, through the staged graph.

    Walk the computational graph of the forward pass node by node, in reverse,
    summing the gradients of every branch that meets at a node (x feeds both
    the mean and the centring; the centred data feeds both the variance and
    the normalisation).

    Inputs:
    - dout: upstream gradient, shape (N, D)
    - cache: from batchnorm_forward in train mode

    Returns a tuple of:
    - dx: gradient with respect to x, shape (N, D)
    - dgamma: gradient with respect to gamma, shape (D,)
    - dbeta: gradient with respect to beta, shape (D,)
    """
    # BEGIN SOLUTION
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = cache
    N = dout.shape[0]

    # step 8: out = gamma * xhat + beta
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    # step 7: xhat = xmu * ivar  (xmu is one branch, ivar the other)
    divar = (dxhat * xmu).sum(axis=0)
    dxmu1 = dxhat * ivar
    # step 6: ivar = 1 / sqrtvar
    dsqrtvar = -divar / sqrtvar ** 2
    # step 5: sqrtvar = sqrt(var + eps)
    dvar = 0.5 * dsqrtvar / np.sqrt(var + eps)
    # step 4: var = mean(sq)
    dsq = np.ones_like(dout) * dvar / N
    # step 3: sq = xmu ** 2  (the second branch into xmu)
    dxmu2 = 2 * xmu * dsq
    # step 2: xmu = x - mu
    dxmu = dxmu1 + dxmu2
    dx1 = dxmu
    dmu = -dxmu.sum(axis=0)
    # step 1: mu = mean(x)  (the second branch into x)
    dx2 = np.ones_like(dout) * dmu / N
    dx = dx1 + dx2
    return dx, dgamma, dbeta
    # END SOLUTION


def batchnorm_backward_alt(dout, cache):
    """Backward pass of batch normalisation, from the simplified closed form.

    Derive dx on paper: with xhat the normalised data and
    g = dout * gamma, the whole graph collapses to

        dx = (1 / (N * sqrt(var + eps))) * (N * g - sum(g) - xhat * sum(g * xhat))

    (sums over the batch axis). Graded for correctness and for speed: it must
    be vectorised (no Python loop over the batch).

    Inputs / returns: as batchnorm_backward.
    - dout: shape (N, D); cache: from batchnorm_forward in train mode
    - returns (dx (N, D), dgamma (D,), dbeta (D,))
    """
    # BEGIN SOLUTION
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    g = dout * gamma
    dx = (ivar / N) * (N * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0))
    return dx, dgamma, dbeta
    # END SOLUTION


def layernorm_forward(x, gamma, beta, ln_param):
    """Forward pass of layer normalisation.

    Every sample (row) is normalised over its own D features with its mean and
    biased variance, then scaled and shifted per feature. There are no running
    statistics: train and test behave the same.

    Inputs:
    - x: data, shape (N, D)
    - gamma: scale parameter, shape (D,)
    - beta: shift parameter, shape (D,)
    - ln_param: dict with key eps (default 1e-5)

    Returns a tuple of:
    - out: shape (N, D)
    - cache: whatever layernorm_backward needs
    """
    # BEGIN SOLUTION
    eps = ln_param.get("eps", 1e-5)
    mu = x.mean(axis=1, keepdims=True)                     # (N, 1)
    var = ((x - mu) ** 2).mean(axis=1, keepdims=True)      # (N, 1)
    inv_std = 1.0 / np.sqrt(var + eps)                     # (N, 1)
    xhat = (x - mu) * inv_std                              # (N, D)
    out = gamma * xhat + beta
    cache = (xhat, gamma, inv_std)
    return out, cache
    # END SOLUTION


def layernorm_backward(dout, cache):
    """Backward pass of layer normalisation.

    Inputs:
    - dout: upstream gradient, shape (N, D)
    - cache: from layernorm_forward

    Returns a tuple of:
    - dx: shape (N, D)
    - dgamma: shape (D,)
    - dbeta: shape (D,)
    """
    # BEGIN SOLUTION
    xhat, gamma, inv_std = cache
    D = dout.shape[1]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    g = dout * gamma
    dx = (inv_std / D) * (
        D * g - g.sum(axis=1, keepdims=True) - xhat * (g * xhat).sum(axis=1, keepdims=True)
    )
    return dx, dgamma, dbeta
    # END SOLUTION


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass of spatial batch normalisation (batch norm for conv layers).

    One mean and variance per channel, over the batch and all spatial
    positions (N, H, W); running statistics exactly as in batchnorm_forward.
    Hint: move the channel axis last, flatten to (N*H*W, C) and reuse
    batchnorm_forward.

    Inputs:
    - x: data, shape (N, C, H, W)
    - gamma: scale parameter, shape (C,)
    - beta: shift parameter, shape (C,)
    - bn_param: as for batchnorm_forward; running_mean/running_var have shape (C,)

    Returns a tuple of:
    - out: shape (N, C, H, W)
    - cache: whatever spatial_batchnorm_backward needs
    """
    # BEGIN SOLUTION
    N, C, H, W = x.shape
    x_flat = x.transpose(0, 2, 3, 1).reshape(-1, C)               # (N*H*W, C)
    out_flat, bn_cache = batchnorm_forward(x_flat, gamma, beta, bn_param)
    out = out_flat.reshape(N, H, W, C).transpose(0, 3, 1, 2)      # (N, C, H, W)
    return out, bn_cache
    # END SOLUTION


def spatial_batchnorm_backward(dout, cache):
    """Backward pass of spatial batch normalisation.

    Inputs:
    - dout: upstream gradient, shape (N, C, H, W)
    - cache: from spatial_batchnorm_forward in train mode

    Returns a tuple of:
    - dx: shape (N, C, H, W)
    - dgamma: shape (C,)
    - dbeta: shape (C,)
    """
    # BEGIN SOLUTION
    N, C, H, W = dout.shape
    dout_flat = dout.transpose(0, 2, 3, 1).reshape(-1, C)
    dx_flat, dgamma, dbeta = batchnorm_backward_alt(dout_flat, cache)
    dx = dx_flat.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return dx, dgamma, dbeta
    # END SOLUTION


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Forward pass of group normalisation.

    The C channels of every sample are split into G groups of C // G
    consecutive channels; each (sample, group) is normalised with its own mean
    and biased variance over the group's channels and all spatial positions,
    then every channel is scaled and shifted by its gamma and beta.
    G = 1 is layer norm over (C, H, W); G = C is instance norm.

    Inputs:
    - x: data, shape (N, C, H, W)
    - gamma: scale parameter, shape (C,)
    - beta: shift parameter, shape (C,)
    - G: number of groups, an integer that divides C
    - gn_param: dict with key eps (default 1e-5)

    Returns a tuple of:
    - out: shape (N, C, H, W)
    - cache: whatever spatial_groupnorm_backward needs
    """
    # BEGIN SOLUTION
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)                                   # (N, G, C//G*H*W)
    mu = xg.mean(axis=2, keepdims=True)                        # (N, G, 1)
    var = ((xg - mu) ** 2).mean(axis=2, keepdims=True)         # (N, G, 1)
    inv_std = 1.0 / np.sqrt(var + eps)                         # (N, G, 1)
    xhat = ((xg - mu) * inv_std).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    cache = (xhat, gamma, inv_std, G)
    return out, cache
    # END SOLUTION


def spatial_groupnorm_backward(dout, cache):
    """Backward pass of group normalisation.

    Inputs:
    - dout: upstream gradient, shape (N, C, H, W)
    - cache: from spatial_groupnorm_forward

    Returns a tuple of:
    - dx: shape (N, C, H, W)
    - dgamma: shape (C,)
    - dbeta: shape (C,)
    """
    # BEGIN SOLUTION
    xhat, gamma, inv_std, G = cache
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    g = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)   # (N, G, M)
    xh = xhat.reshape(N, G, -1)
    M = g.shape[2]
    dx = (inv_std / M) * (M * g - g.sum(axis=2, keepdims=True) - xh * (g * xh).sum(axis=2, keepdims=True))
    return dx.reshape(N, C, H, W), dgamma, dbeta
    # END SOLUTION


def instancenorm_forward(x, gamma, beta, in_param):
    """Forward pass of instance normalisation (used in style transfer).

    Every (sample, channel) plane is normalised over its own H * W positions
    with its mean and biased variance, then scaled and shifted per channel.

    Inputs:
    - x: data, shape (N, C, H, W)
    - gamma: scale parameter, shape (C,)
    - beta: shift parameter, shape (C,)
    - in_param: dict with key eps (default 1e-5)

    Returns a tuple of:
    - out: shape (N, C, H, W)
    - cache: whatever instancenorm_backward needs
    """
    # BEGIN SOLUTION
    eps = in_param.get("eps", 1e-5)
    C = x.shape[1]
    mu = x.mean(axis=(2, 3), keepdims=True)                    # (N, C, 1, 1)
    var = ((x - mu) ** 2).mean(axis=(2, 3), keepdims=True)     # (N, C, 1, 1)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    out = gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)
    cache = (xhat, gamma, inv_std)
    return out, cache
    # END SOLUTION


def instancenorm_backward(dout, cache):
    """Backward pass of instance normalisation.

    Inputs:
    - dout: upstream gradient, shape (N, C, H, W)
    - cache: from instancenorm_forward

    Returns a tuple of:
    - dx: shape (N, C, H, W)
    - dgamma: shape (C,)
    - dbeta: shape (C,)
    """
    # BEGIN SOLUTION
    xhat, gamma, inv_std = cache
    N, C, H, W = dout.shape
    M = H * W
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    g = dout * gamma.reshape(1, C, 1, 1)
    dx = (inv_std / M) * (
        M * g - g.sum(axis=(2, 3), keepdims=True) - xhat * (g * xhat).sum(axis=(2, 3), keepdims=True)
    )
    return dx, dgamma, dbeta
    # END SOLUTION
