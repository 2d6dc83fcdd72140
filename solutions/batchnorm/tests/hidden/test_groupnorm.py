"""Hidden tests: spatial_groupnorm_forward / spatial_groupnorm_backward (oracle F.group_norm).

gn_param gives eps in every test except test_default_eps. Backward tests go through check_backward.
"""

import numpy as np
import pytest

from helpers import as64, channel, check, check_layer_backward, groupnorm, make_affine, make_data, normalise

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


def _inputs(rng, shape, kind, dtype):
    x = make_data(rng, shape, kind, feature_axes=(0, 1)).astype(dtype)
    gamma, beta = make_affine(rng, shape[1], dtype)
    return x, gamma, beta


def _forward_hints(x, gamma, beta, G, eps):
    N, C, H, W = x.shape
    hints = {"unbiased_variance": channel(gamma) * normalise(x.reshape(N, G, -1), 2, eps, ddof=1).reshape(x.shape) + channel(beta)}
    if 1 < G < C:
        # groups of channels c, c + G, c + 2G, ... (reshape to (N, C // G, G, H, W))
        interleaved = normalise(x.reshape(N, C // G, G, H, W), (1, 3, 4), eps).reshape(x.shape)
        hints["interleaved_groups"] = channel(gamma) * interleaved + channel(beta)
    return hints


def _backward_hints(x, gamma, dout, G, eps):
    """dgamma/dbeta in CS231n's (1, C, 1, 1) shape, and dx without gamma."""
    N, C, H, W = x.shape
    xhat = normalise(x.reshape(N, G, -1), 2, eps).reshape(x.shape)
    dgamma, dbeta = (dout * xhat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))
    _, (dx_without_gamma, _, _) = groupnorm(x, np.ones(C), np.zeros(C), G, eps, dout)
    return {
        "dx": {"dx_forgot_gamma": dx_without_gamma},
        "dgamma": {"cs231n_param_shape": dgamma.reshape(1, C, 1, 1)},
        "dbeta": {"cs231n_param_shape": dbeta.reshape(1, C, 1, 1)},
    }


def _forward(submission, rng, shape, G, kind="normal", dtype=np.float64, eps=1e-5, gn_param=None):
    x, gamma, beta = _inputs(rng, shape, kind, dtype)
    expected, _ = groupnorm(x, gamma, beta, G, eps)
    out, _ = submission.spatial_groupnorm_forward(x.copy(), gamma.copy(), beta.copy(), G,
                                                  {"eps": eps} if gn_param is None else gn_param)
    check(out, expected, "out", dtype, _forward_hints(*as64(x, gamma, beta), G, eps))


def _backward(submission, rng, shape, G, kind="normal", dtype=np.float64, eps=1e-5):
    x, gamma, beta = _inputs(rng, shape, kind, dtype)
    dout = rng.standard_normal(shape).astype(dtype)
    check_layer_backward(submission, "spatial_groupnorm_forward", "spatial_groupnorm_backward", (x, gamma, beta, G, {"eps": eps}),
                         dout, groupnorm(x, gamma, beta, G, eps, dout), forward_task="groupnorm", dtype=dtype,
                         hints=_backward_hints(*as64(x, gamma, dout), G, eps))


@pytest.mark.parametrize("which", ["one", "some", "all"], ids=["G=1", "G=divisor", "G=C"])
def test_forward(submission, rng, which):
    """Forward matches torch for G = 1, a proper divisor of C, and G = C."""
    for _ in range(2):
        shape, G = _shape_and_groups(rng, which)
        _forward(submission, rng, shape, G)


@pytest.mark.parametrize("which", ["one", "some", "all"], ids=["G=1", "G=divisor", "G=C"])
def test_backward(submission, rng, which):
    """dx, dgamma, dbeta match torch autograd for G = 1, a proper divisor of C, and G = C."""
    for _ in range(2):
        shape, G = _shape_and_groups(rng, which)
        _backward(submission, rng, shape, G)


def test_batch_of_one(submission, rng):
    """N = 1 with a proper divisor G: forward and backward."""
    shape, G = _shape_and_groups(rng, "some", N=1)
    _forward(submission, rng, shape, G)
    _backward(submission, rng, shape, G)


def test_large_and_small_magnitudes(submission, rng):
    """Mean ~1e3 / std ~1e2, and variances comparable to eps (1e-5, and 3e-6 with G = C): forward and backward."""
    for kind, which, eps in (("large", "some", 1e-5), ("small", "some", 1e-5), ("small", "all", 3e-6)):
        shape, G = _shape_and_groups(rng, which)
        _forward(submission, rng, shape, G, kind, eps=eps)
        _backward(submission, rng, shape, G, kind, eps=eps)


def test_float32(submission, rng):
    """float32 inputs, float32 tolerances: forward and backward."""
    shape, G = _shape_and_groups(rng, "some", big=True)
    _forward(submission, rng, shape, G, dtype=np.float32)
    _backward(submission, rng, shape, G, dtype=np.float32)


def test_default_eps(submission, rng):
    """Without gn_param['eps'] (gn_param = {}), eps is 1e-5 (variances comparable to it)."""
    shape, G = _shape_and_groups(rng, "some")
    _forward(submission, rng, shape, G, "small", gn_param={})
