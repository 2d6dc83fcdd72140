"""Hidden tests: spatial_batchnorm_forward / spatial_batchnorm_backward.

Every test passes bn_param in full (eps, momentum, running_mean, running_var) except the
tests of the defaults, one per default: code whose running_var starts at zeros (CS231n's
starter) loses test_default_running_var, not the whole task. Backward tests go through
check_backward.
"""

import numpy as np
import pytest

from helpers import (as64, batchnorm_backward_hints, batchnorm_test, batchnorm_train, channel, check, check_layer_backward,
                     make_affine, make_data, make_running, normalise, read_running, running_hints, running_update)

pytestmark = pytest.mark.task("spatial_bn")

AXES = (0, 2, 3)


def _shape(rng, N=None, big=False):
    N = int(rng.integers(2, 6)) if N is None else N
    C = int(rng.integers(2, 7))
    H = int(rng.integers(3 if big else 2, 7))
    W = H + int(rng.integers(1, 4))  # non-square
    if rng.random() < 0.5:
        H, W = W, H
    return N, C, H, W


def _inputs(rng, shape, kind="normal", dtype=np.float64):
    x = make_data(rng, shape, kind, feature_axes=(0, 1)).astype(dtype)
    gamma, beta = make_affine(rng, shape[1], dtype)
    return x, gamma, beta


def _param(rng, C, eps=1e-5, dtype=np.float64, momentum=0.9, mode="train"):
    running_mean, running_var = make_running(rng, C, dtype)
    return {"mode": mode, "eps": eps, "momentum": momentum, "running_mean": running_mean, "running_var": running_var}


def _forward_hints(x, gamma, beta, eps):
    """Wrong train-mode outputs: flattening without moving C last, and the unbiased variance."""
    C = x.shape[1]
    flat = x.reshape(-1, C)
    return {
        "reshape_without_transpose": (gamma * normalise(flat, 0, eps) + beta).reshape(x.shape),
        "unbiased_variance": channel(gamma) * normalise(x, AXES, eps, ddof=1) + channel(beta),
    }


def _forward(submission, rng, shape, kind="normal", dtype=np.float64, eps=1e-5, bn_param=None):
    x, gamma, beta = _inputs(rng, shape, kind, dtype)
    expected, _ = batchnorm_train(x, gamma, beta, eps)
    bn_param = _param(rng, shape[1], eps, dtype) if bn_param is None else bn_param
    out, _ = submission.spatial_batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), bn_param)
    check(out, expected, "out", dtype, _forward_hints(*as64(x, gamma, beta), eps))


def _backward(submission, rng, shape, kind="normal", dtype=np.float64, eps=1e-5):
    x, gamma, beta = _inputs(rng, shape, kind, dtype)
    dout = rng.standard_normal(shape).astype(dtype)
    check_layer_backward(submission, "spatial_batchnorm_forward", "spatial_batchnorm_backward",
                         (x, gamma, beta, _param(rng, shape[1], eps, dtype)), dout, batchnorm_train(x, gamma, beta, eps, dout),
                         forward_task="spatial_bn", dtype=dtype, hints=batchnorm_backward_hints(*as64(x, gamma, dout), eps, AXES))


def test_forward_train_random_shapes(submission, rng):
    """Train-mode output for random non-square inputs."""
    for _ in range(2):
        _forward(submission, rng, _shape(rng))


def test_forward_batch_of_one(submission, rng):
    """N = 1: statistics over the H * W positions of the single sample."""
    _forward(submission, rng, _shape(rng, N=1))


def test_backward_random_shapes(submission, rng):
    """dx, dgamma, dbeta match torch autograd for random non-square inputs (N = 1 included)."""
    _backward(submission, rng, _shape(rng))
    _backward(submission, rng, _shape(rng, N=1))


def test_large_and_small_magnitudes(submission, rng):
    """Mean ~1e3 / std ~1e2, and variances comparable to eps (1e-5 and 3e-6): forward and backward."""
    _forward(submission, rng, _shape(rng), "large")
    _forward(submission, rng, _shape(rng), "small")
    _forward(submission, rng, _shape(rng), "small", eps=3e-6)
    _backward(submission, rng, _shape(rng), "large")
    _backward(submission, rng, _shape(rng), "small", eps=3e-6)


def test_float32(submission, rng):
    """float32 inputs, float32 tolerances: forward and backward."""
    _forward(submission, rng, _shape(rng, big=True), dtype=np.float32)
    _backward(submission, rng, _shape(rng, big=True), dtype=np.float32)


def test_running_statistics(submission, rng):
    """Four train steps (momentum 0.8) from given running statistics: one mean and variance per channel."""
    N, C, H, W = _shape(rng)
    momentum = 0.8
    bn_param = _param(rng, C, momentum=momentum)
    running_mean, running_var = as64(bn_param["running_mean"], bn_param["running_var"])
    for step in range(1, 5):
        x, gamma, beta = _inputs(rng, (int(rng.integers(1, 5)), C, H, W))
        mean_hints, var_hints = running_hints(running_mean, running_var, x, AXES, momentum)
        running_mean = running_update(running_mean, x.mean(axis=AXES), momentum)
        running_var = running_update(running_var, x.var(axis=AXES), momentum)
        submission.spatial_batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), bn_param)
        check(read_running(bn_param, "running_mean", step), running_mean, f"running_mean after step {step}", hints=mean_hints)
        check(read_running(bn_param, "running_var", step), running_var, f"running_var after step {step}", hints=var_hints)


def test_test_mode(submission, rng):
    """Test mode normalises every channel with the given running statistics (eps 1e-3, small variances)."""
    N, C, H, W = _shape(rng)
    running_mean, running_var = rng.uniform(-2, 2, C), rng.uniform(1e-3, 1e-1, C)
    x = channel(running_mean) + channel(np.sqrt(running_var)) * 2 * rng.standard_normal((N, C, H, W))
    gamma, beta = make_affine(rng, C)
    bn_param = {"mode": "test", "eps": 1e-3, "momentum": 0.9, "running_mean": running_mean.copy(), "running_var": running_var.copy()}
    out, _ = submission.spatial_batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), bn_param)
    check(out, batchnorm_test(x, gamma, beta, running_mean, running_var, 1e-3), "out (test mode)", hints={
        "test_mode_batch_statistics": channel(gamma) * normalise(x, AXES, 1e-3) + channel(beta)})


# ----------------------------------------------------------------- defaults, one per test


def test_default_eps(submission, rng):
    """Without bn_param['eps'], eps is 1e-5 (variances comparable to it)."""
    shape = _shape(rng)
    bn_param = _param(rng, shape[1])
    del bn_param["eps"]
    _forward(submission, rng, shape, "small", bn_param=bn_param)


def test_default_momentum(submission, rng):
    """Without bn_param['momentum'], momentum is 0.9."""
    N, C, H, W = _shape(rng)
    bn_param = _param(rng, C)
    del bn_param["momentum"]
    running_mean, running_var = as64(bn_param["running_mean"], bn_param["running_var"])
    x, gamma, beta = _inputs(rng, (N, C, H, W))
    mean_hints, var_hints = running_hints(running_mean, running_var, x, AXES, 0.9)
    mean_hints["keras_momentum_default"] = running_update(running_mean, x.mean(axis=AXES), 0.99)
    var_hints["keras_momentum_default"] = running_update(running_var, x.var(axis=AXES), 0.99)
    submission.spatial_batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), bn_param)
    check(read_running(bn_param, "running_mean"), running_update(running_mean, x.mean(axis=AXES), 0.9),
          "running_mean (no momentum in bn_param)", hints=mean_hints)
    check(read_running(bn_param, "running_var"), running_update(running_var, x.var(axis=AXES), 0.9),
          "running_var (no momentum in bn_param)", hints=var_hints)


def test_default_running_mean(submission, rng):
    """Without bn_param['running_mean'], the running mean starts at zeros (C,)."""
    N, C, H, W = _shape(rng)
    bn_param = _param(rng, C)
    del bn_param["running_mean"]
    x, gamma, beta = _inputs(rng, (N, C, H, W))
    submission.spatial_batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), bn_param)
    check(read_running(bn_param, "running_mean"), running_update(np.zeros(C), x.mean(axis=AXES), 0.9),
          "running_mean after a train step from a bn_param without running_mean")


def test_default_running_var(submission, rng):
    """Without bn_param['running_var'], the running variance starts at ones (C,)."""
    N, C, H, W = _shape(rng)
    bn_param = _param(rng, C)
    del bn_param["running_var"]
    x, gamma, beta = _inputs(rng, (N, C, H, W))
    submission.spatial_batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), bn_param)
    check(read_running(bn_param, "running_var"), running_update(np.ones(C), x.var(axis=AXES), 0.9),
          "running_var after a train step from a bn_param without running_var",
          hints={"cs231n_running_var_zeros": running_update(np.zeros(C), x.var(axis=AXES), 0.9)})
