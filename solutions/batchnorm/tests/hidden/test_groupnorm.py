"""Hidden tests: spatial_groupnorm_forward / spatial_groupnorm_backward (oracle F.group_norm)."""

import numpy as np
import pytest

pytestmark = pytest.mark.task("groupnorm")


def _shape_and_groups(rng, which, N=None, big=False):
    N = int(rng.integers(2, 5)) if N is None else N
    C = int(rng.choice([4, 6, 8, 12]))
    H = int(rng.integers(3 if big else 2, 6))
    W = H + int(rng.integers(1, 4))
    if rng.random() < 0.5:
        H, W = W, H
    if which == "one":
        G = 1
    elif which == "all":
        G = C
    else:
        G = int(rng.choice([d for d in range(2, C) if C % d == 0]))
    return (N, C, H, W), G


def _interleaved(x, gamma, beta, G, eps):
    """Group norm with groups of channels c, c + G, c + 2G, ... (reshape in the wrong order)."""
    N, C, H, W = x.shape
    xg = x.reshape(N, C // G, G, H, W)
    xh = (xg - xg.mean((1, 3, 4), keepdims=True)) / np.sqrt(xg.var((1, 3, 4), keepdims=True) + eps)
    return gamma.reshape(1, C, 1, 1) * xh.reshape(x.shape) + beta.reshape(1, C, 1, 1)


def _case(submission, h, rng, shape, G, kind, dtype=np.float64, eps=None, backward=True):
    N, C, H, W = shape
    x = h.make_data(rng, shape, kind, feature_axes=(0, 1)).astype(dtype)
    gamma, beta = (a.astype(dtype) for a in h.make_affine(rng, C))
    dout = rng.standard_normal(shape).astype(dtype) if backward else None
    used_eps = 1e-5 if eps is None else eps
    gn_param = {} if eps is None else {"eps": eps}
    out_e, *grads_e = h.torch_layer(
        lambda xt, gt, bt: h.F.group_norm(xt, G, gt, bt, eps=used_eps), x, gamma, beta, dout
    )
    x64, g64, b64 = (a.astype(np.float64) for a in (x, gamma, beta))
    xg = x64.reshape(N, G, -1)
    hints = {
        "used the unbiased variance (ddof=1)":
            (g64.reshape(1, C, 1, 1) * ((xg - xg.mean(2, keepdims=True))
             / np.sqrt(xg.var(2, ddof=1, keepdims=True) + used_eps)).reshape(shape) + b64.reshape(1, C, 1, 1)),
    }
    if 1 < G < C:
        hints["grouped channels c, c+G, c+2G, ... (reshape to (N, G, C // G, H, W), not (N, C // G, G, H, W))"] = (
            _interleaved(x64, g64, b64, G, used_eps)
        )
    out, cache = submission.spatial_groupnorm_forward(*h.copies(x, gamma, beta), G, gn_param)
    h.check(out, out_e, "out", dtype, hints)
    if backward:
        result = submission.spatial_groupnorm_backward(dout.copy(), cache)
        h.check_grads(result, grads_e, dtype)


@pytest.mark.parametrize("which", ["one", "some", "all"], ids=["G=1", "G=divisor", "G=C"])
def test_forward(submission, h, rng, which):
    """Forward matches torch for G = 1, a proper divisor of C, and G = C."""
    for _ in range(2):
        shape, G = _shape_and_groups(rng, which)
        _case(submission, h, rng, shape, G, "normal", backward=False)


@pytest.mark.parametrize("which", ["one", "some", "all"], ids=["G=1", "G=divisor", "G=C"])
def test_backward(submission, h, rng, which):
    """dx, dgamma, dbeta match torch autograd for G = 1, a proper divisor of C, and G = C."""
    for _ in range(2):
        shape, G = _shape_and_groups(rng, which)
        _case(submission, h, rng, shape, G, "normal")


def test_batch_of_one(submission, h, rng):
    """N = 1 with a proper divisor G."""
    shape, G = _shape_and_groups(rng, "some", N=1)
    _case(submission, h, rng, shape, G, "normal")


def test_large_and_small_magnitudes(submission, h, rng):
    """Mean ~1e3 / std ~1e2, and variances comparable to eps (default and custom eps)."""
    shape, G = _shape_and_groups(rng, "some")
    _case(submission, h, rng, shape, G, "large")
    shape, G = _shape_and_groups(rng, "some")
    _case(submission, h, rng, shape, G, "small")
    shape, G = _shape_and_groups(rng, "all")
    _case(submission, h, rng, shape, G, "small", eps=3e-6)


def test_float32(submission, h, rng):
    """float32 inputs, float32 tolerances."""
    shape, G = _shape_and_groups(rng, "some", big=True)
    _case(submission, h, rng, shape, G, "normal", dtype=np.float32)
