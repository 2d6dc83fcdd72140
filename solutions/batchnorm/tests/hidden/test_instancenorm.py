"""Hidden tests: instancenorm_forward / instancenorm_backward (oracle F.instance_norm with affine)."""

import numpy as np
import pytest

pytestmark = pytest.mark.task("instancenorm")


def _shape(rng, N=None, big=False):
    N = int(rng.integers(2, 5)) if N is None else N
    C = int(rng.integers(1, 7))
    H = int(rng.integers(3 if big else 2, 6))
    W = H + int(rng.integers(1, 4))
    if rng.random() < 0.5:
        H, W = W, H
    return N, C, H, W


def _case(submission, h, rng, shape, kind, dtype=np.float64, eps=None, backward=True):
    N, C, H, W = shape
    x = h.make_data(rng, shape, kind, feature_axes=(0, 1)).astype(dtype)
    gamma, beta = (a.astype(dtype) for a in h.make_affine(rng, C))
    dout = rng.standard_normal(shape).astype(dtype) if backward else None
    used_eps = 1e-5 if eps is None else eps
    in_param = {} if eps is None else {"eps": eps}
    out_e, *grads_e = h.torch_layer(
        lambda xt, gt, bt: h.F.instance_norm(xt, weight=gt, bias=bt, use_input_stats=True, eps=used_eps),
        x, gamma, beta, dout,
    )
    x64, g64, b64 = (a.astype(np.float64) for a in (x, gamma, beta))
    gb, bb = g64.reshape(1, C, 1, 1), b64.reshape(1, C, 1, 1)
    hints = {
        "used the unbiased variance (ddof=1)":
            gb * (x64 - x64.mean((2, 3), keepdims=True)) / np.sqrt(x64.var((2, 3), ddof=1, keepdims=True) + used_eps) + bb,
        "normalised over (N, H, W) like spatial batch norm; instance norm uses each sample's (H, W) only":
            gb * (x64 - x64.mean((0, 2, 3), keepdims=True)) / np.sqrt(x64.var((0, 2, 3), keepdims=True) + used_eps) + bb,
        "normalised over (C, H, W) like layer norm; instance norm uses each channel's (H, W) only":
            gb * (x64 - x64.mean((1, 2, 3), keepdims=True)) / np.sqrt(x64.var((1, 2, 3), keepdims=True) + used_eps) + bb,
    }
    out, cache = submission.instancenorm_forward(*h.copies(x, gamma, beta), in_param)
    h.check(out, out_e, "out", dtype, hints)
    if backward:
        result = submission.instancenorm_backward(dout.copy(), cache)
        h.check_grads(result, grads_e, dtype)


def test_forward_random_shapes(submission, h, rng):
    """Forward matches torch for random non-square inputs."""
    for _ in range(2):
        _case(submission, h, rng, _shape(rng), "normal", backward=False)


def test_backward_random_shapes(submission, h, rng):
    """dx, dgamma, dbeta match torch autograd."""
    for _ in range(2):
        _case(submission, h, rng, _shape(rng), "normal")


def test_batch_of_one(submission, h, rng):
    """N = 1 (forward and backward)."""
    _case(submission, h, rng, _shape(rng, N=1), "normal")


def test_large_magnitudes(submission, h, rng):
    """Planes with mean ~1e3 and std ~1e2."""
    _case(submission, h, rng, _shape(rng), "large")


def test_small_variance_eps(submission, h, rng):
    """Variances comparable to eps: the default 1e-5 and a custom one."""
    _case(submission, h, rng, _shape(rng), "small")
    _case(submission, h, rng, _shape(rng), "small", eps=3e-6)


def test_float32(submission, h, rng):
    """float32 inputs, float32 tolerances."""
    _case(submission, h, rng, _shape(rng, big=True), "normal", dtype=np.float32)
