"""Hidden tests: spatial_batchnorm_forward / spatial_batchnorm_backward."""

import numpy as np
import pytest

pytestmark = pytest.mark.task("spatial_bn")


def _shape(rng, N=None, big=False):
    N = int(rng.integers(2, 6)) if N is None else N
    C = int(rng.integers(2, 7))
    H = int(rng.integers(3 if big else 2, 7))
    W = H + int(rng.integers(1, 4))  # non-square
    if rng.random() < 0.5:
        H, W = W, H
    return N, C, H, W


def _wrong_reshape(x, gamma, beta, eps):
    """Batch norm on x.reshape(-1, C) without moving the channel axis last."""
    C = x.shape[1]
    xf = x.reshape(-1, C)
    out = gamma * (xf - xf.mean(0)) / np.sqrt(xf.var(0) + eps) + beta
    return out.reshape(x.shape)


def _case(submission, h, rng, shape, kind, dtype=np.float64, eps=None, backward=True):
    N, C, H, W = shape
    x = h.make_data(rng, shape, kind, feature_axes=(0, 1)).astype(dtype)
    gamma, beta = (a.astype(dtype) for a in h.make_affine(rng, C))
    dout = rng.standard_normal(shape).astype(dtype) if backward else None
    used_eps = 1e-5 if eps is None else eps
    bn_param = {"mode": "train"} if eps is None else {"mode": "train", "eps": eps}
    out_e, *grads_e = h.torch_layer(
        lambda xt, gt, bt: h.F.batch_norm(xt, None, None, gt, bt, training=True, eps=used_eps), x, gamma, beta, dout
    )
    x64, g64, b64 = (a.astype(np.float64) for a in (x, gamma, beta))
    gb, bb = g64.reshape(1, C, 1, 1), b64.reshape(1, C, 1, 1)
    hints = {
        "reshaped (N, C, H, W) to (-1, C) without moving the channel axis last (transpose first)":
            _wrong_reshape(x64, g64, b64, used_eps),
        "normalised each sample's channel over (H, W) only (that is instance norm); use (N, H, W)":
            gb * (x64 - x64.mean((2, 3), keepdims=True)) / np.sqrt(x64.var((2, 3), keepdims=True) + used_eps) + bb,
        "used the unbiased variance (ddof=1)":
            gb * (x64 - x64.mean((0, 2, 3), keepdims=True))
            / np.sqrt(x64.var((0, 2, 3), ddof=1, keepdims=True) + used_eps) + bb,
    }
    out, cache = submission.spatial_batchnorm_forward(*h.copies(x, gamma, beta), bn_param)
    h.check(out, out_e, "out", dtype, hints)
    mean = x64.mean(axis=(0, 2, 3))
    var = x64.var(axis=(0, 2, 3))
    h.check(bn_param.get("running_mean"), 0.1 * mean, "running_mean", dtype)
    h.check(bn_param.get("running_var"), 0.9 + 0.1 * var, "running_var", dtype)
    if backward:
        result = submission.spatial_batchnorm_backward(dout.copy(), cache)
        h.check_grads(result, grads_e, dtype)


def test_forward_train_random_shapes(submission, h, rng):
    """Train-mode output and first running statistics for random non-square inputs."""
    for _ in range(2):
        _case(submission, h, rng, _shape(rng), "normal", backward=False)


def test_forward_batch_of_one(submission, h, rng):
    """N = 1: statistics over the H * W positions of the single sample."""
    _case(submission, h, rng, _shape(rng, N=1), "normal", backward=False)


def test_backward_random_shapes(submission, h, rng):
    """dx, dgamma, dbeta match torch autograd for random non-square inputs (N = 1 included)."""
    _case(submission, h, rng, _shape(rng), "normal")
    _case(submission, h, rng, _shape(rng, N=1), "normal")


def test_large_and_small_magnitudes(submission, h, rng):
    """Mean ~1e3 / std ~1e2, and variance comparable to eps (custom eps too)."""
    _case(submission, h, rng, _shape(rng), "large")
    _case(submission, h, rng, _shape(rng), "small")
    _case(submission, h, rng, _shape(rng), "small", eps=3e-6)


def test_float32(submission, h, rng):
    """float32 inputs, float32 tolerances."""
    _case(submission, h, rng, _shape(rng, big=True), "normal", dtype=np.float32)


def test_running_statistics_and_test_mode(submission, h, rng):
    """Several train steps (momentum 0.8), running statistics per channel, then test mode."""
    N, C, H, W = _shape(rng)
    momentum = 0.8
    bn_param = {"mode": "train", "momentum": momentum}
    running_mean, running_var = np.zeros(C), np.ones(C)
    for step in range(4):
        x = h.make_data(rng, (int(rng.integers(1, 5)), C, H, W), "normal", feature_axes=(0, 1))
        gamma, beta = h.make_affine(rng, C)
        mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        hint_mean = {"used torch's momentum convention": (1 - momentum) * running_mean + momentum * mean}
        hint_var = {
            "used torch's momentum convention": (1 - momentum) * running_var + momentum * var,
            "used the unbiased variance": momentum * running_var + (1 - momentum) * x.var(axis=(0, 2, 3), ddof=1),
        }
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
        submission.spatial_batchnorm_forward(*h.copies(x, gamma, beta), bn_param)
        h.check(bn_param.get("running_mean"), running_mean, f"running_mean after step {step + 1}", hints=hint_mean)
        h.check(bn_param.get("running_var"), running_var, f"running_var after step {step + 1}", hints=hint_var)
    x = h.make_data(rng, (int(rng.integers(1, 5)), C, H, W), "normal", feature_axes=(0, 1))
    gamma, beta = h.make_affine(rng, C)
    rm, rv = h.torch.tensor(running_mean), h.torch.tensor(running_var)
    expected, *_ = h.torch_layer(
        lambda xt, gt, bt: h.F.batch_norm(xt, rm, rv, gt, bt, training=False, eps=1e-5), x, gamma, beta, None
    )
    bn_param["mode"] = "test"
    out, _ = submission.spatial_batchnorm_forward(*h.copies(x, gamma, beta), bn_param)
    h.check(out, expected, "out (test mode)")
