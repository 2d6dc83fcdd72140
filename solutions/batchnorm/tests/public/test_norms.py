"""Public tests: layer norm, spatial batch norm, group norm, instance norm.

Expected values were computed from the reference solution and frozen; inputs are fixed.
"""

import numpy as np
import pytest


def _image(N=2, C=4, H=3, W=5):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, C, H, W)) * rng.uniform(0.5, 2, (N, C, 1, 1)) + rng.uniform(-2, 2, (N, C, 1, 1))
    gamma = rng.uniform(0.5, 1.5, C)
    beta = rng.uniform(-1, 1, C)
    dout = rng.standard_normal((N, C, H, W))
    return x, gamma, beta, dout


def _plane_norm(x, axes, eps=1e-5):
    return (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + eps)


@pytest.mark.task("layernorm")
def test_layernorm(submission, frozen):
    """Layer norm normalises every sample (row) over its features."""
    rng = np.random.default_rng(0)
    N, D = 4, 6
    x = rng.standard_normal((N, D)) * rng.uniform(0.5, 3, (N, 1)) + rng.uniform(-3, 3, (N, 1))
    gamma, beta = rng.uniform(0.5, 1.5, D), rng.uniform(-1, 1, D)
    dout = rng.standard_normal((N, D))
    out, cache = submission.layernorm_forward(x.copy(), gamma, beta, {})
    frozen.check("ln.out", out, hints={
        "normalised over the batch (axis 0) like batch norm": gamma * _plane_norm(x, (0,)) + beta,
    })
    dx, dgamma, dbeta = submission.layernorm_backward(dout.copy(), cache)
    frozen.check("ln.dx", dx)
    frozen.check("ln.dgamma", dgamma, hints={"summed dgamma with x instead of xhat": (dout * x).sum(0)})
    frozen.check("ln.dbeta", dbeta)


@pytest.mark.task("spatial_bn")
def test_spatial_batchnorm(submission, frozen):
    """Spatial batch norm: one mean/variance per channel over (N, H, W); running statistics of shape (C,)."""
    x, gamma, beta, dout = _image()
    bn_param = {"mode": "train"}
    out, cache = submission.spatial_batchnorm_forward(x.copy(), gamma, beta, bn_param)
    g4, b4 = gamma.reshape(1, -1, 1, 1), beta.reshape(1, -1, 1, 1)
    wrong = x.reshape(-1, 4)
    frozen.check("sbn.out", out, hints={
        "reshaped to (-1, C) without moving the channel axis last": (
            gamma * (wrong - wrong.mean(0)) / np.sqrt(wrong.var(0) + 1e-5) + beta).reshape(x.shape),
        "normalised over (H, W) only (that is instance norm)": g4 * _plane_norm(x, (2, 3)) + b4,
    })
    frozen.check("sbn.running_mean", bn_param["running_mean"])
    frozen.check("sbn.running_var", bn_param["running_var"], hints={
        "started running_var at zeros (CS231n's starter does); this course starts it at ones": 0.1 * x.var(axis=(0, 2, 3)),
    })
    dx, dgamma, dbeta = submission.spatial_batchnorm_backward(dout.copy(), cache)
    frozen.check("sbn.dx", dx)
    frozen.check("sbn.dgamma", dgamma)
    frozen.check("sbn.dbeta", dbeta)
    bn_param["mode"] = "test"
    out_test, _ = submission.spatial_batchnorm_forward(x[:1].copy(), gamma, beta, bn_param)
    frozen.check("sbn.test_out", out_test)


@pytest.mark.task("groupnorm")
@pytest.mark.parametrize("G", [1, 2, 4])
def test_groupnorm(submission, frozen, G):
    """Group norm with G = 1 (layer norm over C, H, W), 2, and 4 = C (instance norm)."""
    x, gamma, beta, dout = _image()
    out, cache = submission.spatial_groupnorm_forward(x.copy(), gamma, beta, G, {"eps": 1e-5})
    g4, b4 = gamma.reshape(1, -1, 1, 1), beta.reshape(1, -1, 1, 1)
    hints = {}
    if G == 2:
        xi = x.reshape(2, 2, 2, 3, 5)  # (N, C // G, G, H, W): channels 0, 2 and 1, 3 grouped
        hints["grouped channels c, c + G, ... instead of consecutive channels"] = (
            g4 * _plane_norm(xi, (1, 3, 4)).reshape(x.shape) + b4)
    frozen.check(f"gn{G}.out", out, hints=hints)
    dx, dgamma, dbeta = submission.spatial_groupnorm_backward(dout.copy(), cache)
    frozen.check(f"gn{G}.dx", dx)
    frozen.check(f"gn{G}.dgamma", dgamma)
    frozen.check(f"gn{G}.dbeta", dbeta)


@pytest.mark.task("instancenorm")
def test_instancenorm(submission, frozen):
    """Instance norm: each (sample, channel) plane normalised over its H * W positions."""
    x, gamma, beta, dout = _image()
    out, cache = submission.instancenorm_forward(x.copy(), gamma, beta, {})
    g4, b4 = gamma.reshape(1, -1, 1, 1), beta.reshape(1, -1, 1, 1)
    frozen.check("in.out", out, hints={
        "normalised over (N, H, W) like spatial batch norm": g4 * _plane_norm(x, (0, 2, 3)) + b4,
        "used the unbiased variance (ddof=1)":
            g4 * (x - x.mean((2, 3), keepdims=True)) / np.sqrt(x.var((2, 3), ddof=1, keepdims=True) + 1e-5) + b4,
    })
    dx, dgamma, dbeta = submission.instancenorm_backward(dout.copy(), cache)
    frozen.check("in.dx", dx)
    frozen.check("in.dgamma", dgamma)
    frozen.check("in.dbeta", dbeta)
