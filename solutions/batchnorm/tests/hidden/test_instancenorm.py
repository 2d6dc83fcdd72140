"""Hidden tests: instancenorm_forward / instancenorm_backward (oracle F.instance_norm with affine).

in_param gives eps in every test except test_default_eps. Backward tests go through check_backward.
"""

import numpy as np
import pytest

from helpers import as64, channel, check, check_layer_backward, instancenorm, make_affine, make_data, normalise

pytestmark = pytest.mark.task("instancenorm")


def _shape(rng, N=None, big=False):
    N = int(rng.integers(2, 5)) if N is None else N
    C = int(rng.integers(1, 7))
    H = int(rng.integers(3 if big else 2, 6))
    W = H + int(rng.integers(1, 4))
    if rng.random() < 0.5:
        H, W = W, H
    return N, C, H, W


def _inputs(rng, shape, kind, dtype):
    x = make_data(rng, shape, kind, feature_axes=(0, 1)).astype(dtype)
    gamma, beta = make_affine(rng, shape[1], dtype)
    return x, gamma, beta


def _backward_hints(x, gamma, dout, eps):
    """dx without the branch through the per-plane mean."""
    xhat = normalise(x, (2, 3), eps)
    ivar = 1.0 / np.sqrt(x.var(axis=(2, 3), keepdims=True) + eps)
    g = dout * channel(gamma)
    return {"dx": {"dropped_mean_branch": ivar * (g - xhat * (g * xhat).mean(axis=(2, 3), keepdims=True))}}


def _forward(submission, rng, shape, kind="normal", dtype=np.float64, eps=1e-5, in_param=None):
    x, gamma, beta = _inputs(rng, shape, kind, dtype)
    expected, _ = instancenorm(x, gamma, beta, eps)
    out, _ = submission.instancenorm_forward(x.copy(), gamma.copy(), beta.copy(), {"eps": eps} if in_param is None else in_param)
    x64, g64, b64 = as64(x, gamma, beta)
    check(out, expected, "out", dtype, {
        "unbiased_variance": channel(g64) * normalise(x64, (2, 3), eps, ddof=1) + channel(b64),
        "spatial_batch_statistics": channel(g64) * normalise(x64, (0, 2, 3), eps) + channel(b64),
    })


def _backward(submission, rng, shape, kind="normal", dtype=np.float64, eps=1e-5):
    x, gamma, beta = _inputs(rng, shape, kind, dtype)
    dout = rng.standard_normal(shape).astype(dtype)
    check_layer_backward(submission, "instancenorm_forward", "instancenorm_backward", (x, gamma, beta, {"eps": eps}), dout,
                         instancenorm(x, gamma, beta, eps, dout), forward_task="instancenorm", dtype=dtype,
                         hints=_backward_hints(*as64(x, gamma, dout), eps))


def test_forward_random_shapes(submission, rng):
    """Forward matches torch for random non-square inputs."""
    for _ in range(2):
        _forward(submission, rng, _shape(rng))


def test_backward_random_shapes(submission, rng):
    """dx, dgamma, dbeta match torch autograd."""
    for _ in range(2):
        _backward(submission, rng, _shape(rng))


def test_batch_of_one(submission, rng):
    """N = 1 (forward and backward)."""
    _forward(submission, rng, _shape(rng, N=1))
    _backward(submission, rng, _shape(rng, N=1))


def test_large_magnitudes(submission, rng):
    """Planes with mean ~1e3 and std ~1e2: forward and backward."""
    _forward(submission, rng, _shape(rng), "large")
    _backward(submission, rng, _shape(rng), "large")


def test_small_variance_eps(submission, rng):
    """Variances comparable to eps (in_param['eps'] = 1e-5 and 3e-6): forward and backward."""
    for eps in (1e-5, 3e-6):
        _forward(submission, rng, _shape(rng), "small", eps=eps)
        _backward(submission, rng, _shape(rng), "small", eps=eps)


def test_float32(submission, rng):
    """float32 inputs, float32 tolerances: forward and backward."""
    _forward(submission, rng, _shape(rng, big=True), dtype=np.float32)
    _backward(submission, rng, _shape(rng, big=True), dtype=np.float32)


def test_default_eps(submission, rng):
    """Without in_param['eps'] (in_param = {}), eps is 1e-5 (variances comparable to it)."""
    _forward(submission, rng, _shape(rng), "small", in_param={})
