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
    raise NotImplementedError("bn_forward: implement batchnorm_forward")


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
    raise NotImplementedError("bn_backward: implement batchnorm_backward")


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
    raise NotImplementedError("bn_backward_alt: implement batchnorm_backward_alt")


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
    raise NotImplementedError("layernorm: implement layernorm_forward")


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
    raise NotImplementedError("layernorm: implement layernorm_backward")


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
    raise NotImplementedError("spatial_bn: implement spatial_batchnorm_forward")


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
    raise NotImplementedError("spatial_bn: implement spatial_batchnorm_backward")


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
    raise NotImplementedError("groupnorm: implement spatial_groupnorm_forward")


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
    raise NotImplementedError("groupnorm: implement spatial_groupnorm_backward")


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
    raise NotImplementedError("instancenorm: implement instancenorm_forward")


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
    raise NotImplementedError("instancenorm: implement instancenorm_backward")
