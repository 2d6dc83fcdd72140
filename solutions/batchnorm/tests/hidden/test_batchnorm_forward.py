"""Hidden tests: batchnorm_forward (train and test mode, running statistics)."""

import numpy as np
import pytest

pytestmark = pytest.mark.task("bn_forward")


def _train_hints(x, gamma, beta, eps):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    return {
        "used the unbiased variance (ddof=1); batch norm uses the biased one (divide by N)":
            gamma * (x - mu) / np.sqrt(x.var(axis=0, ddof=1) + eps) + beta,
        "added eps outside the square root (use sqrt(var + eps))": gamma * (x - mu) / (np.sqrt(var) + eps) + beta,
        "forgot eps": gamma * (x - mu) / np.sqrt(var) + beta,
        "normalised over the features (axis 1) instead of the batch (axis 0)":
            gamma * (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps) + beta,
        "forgot to scale and shift by gamma and beta": (x - mu) / np.sqrt(var + eps),
    }


def _train_case(submission, h, rng, N, D, kind, dtype=np.float64, eps=None):
    x = h.make_data(rng, (N, D), kind).astype(dtype)
    gamma, beta = h.make_affine(rng, D)
    gamma, beta = gamma.astype(dtype), beta.astype(dtype)
    bn_param = {"mode": "train"}
    if eps is not None:
        bn_param["eps"] = eps
    used_eps = 1e-5 if eps is None else eps
    expected, *_ = h.torch_layer(
        lambda xt, gt, bt: h.F.batch_norm(xt, None, None, gt, bt, training=True, eps=used_eps), x, gamma, beta, None
    )
    out, _ = submission.batchnorm_forward(*h.copies(x, gamma, beta), bn_param)
    x64, g64, b64 = (np.asarray(a, dtype=np.float64) for a in (x, gamma, beta))
    h.check(out, expected, "out", dtype, hints=_train_hints(x64, g64, b64, used_eps))


def test_train_output_random_shapes(submission, h, rng):
    """Train-mode output matches torch.nn.functional.batch_norm on random shapes."""
    for _ in range(3):
        _train_case(submission, h, rng, int(rng.integers(2, 65)), int(rng.integers(2, 40)), "normal")


def test_train_large_mean_and_variance(submission, h, rng):
    """Train mode with features of mean ~1e3 and std ~1e2."""
    _train_case(submission, h, rng, int(rng.integers(8, 65)), int(rng.integers(2, 20)), "large")


def test_train_small_variance_default_eps(submission, h, rng):
    """Train mode where the variance (~1e-6) is comparable to the default eps 1e-5."""
    _train_case(submission, h, rng, int(rng.integers(8, 65)), int(rng.integers(2, 20)), "small")


def test_train_small_variance_custom_eps(submission, h, rng):
    """bn_param['eps'] is used when given."""
    _train_case(submission, h, rng, int(rng.integers(8, 65)), int(rng.integers(2, 20)), "small", eps=3e-6)


def test_train_single_feature_and_tiny_batch(submission, h, rng):
    """D = 1 and small batches (N = 2, 3)."""
    _train_case(submission, h, rng, 2, 1, "normal")
    _train_case(submission, h, rng, 3, 1, "normal")
    _train_case(submission, h, rng, 2, int(rng.integers(2, 10)), "normal")


def test_train_float32(submission, h, rng):
    """float32 inputs, float32 tolerances."""
    _train_case(submission, h, rng, int(rng.integers(8, 65)), int(rng.integers(2, 30)), "normal", dtype=np.float32)


def test_train_float32_large_offset(submission, h, rng):
    """float32 features whose mean is 20-30x their std: compute the variance as mean((x - mean)**2), not E[x^2] - E[x]^2."""
    for _ in range(3):
        N, D = int(rng.integers(16, 65)), int(rng.integers(4, 30))
        x = h.make_data(rng, (N, D), "offset").astype(np.float32)
        gamma, beta = (a.astype(np.float32) for a in h.make_affine(rng, D))
        expected, *_ = h.torch_layer(
            lambda xt, gt, bt: h.F.batch_norm(xt, None, None, gt, bt, training=True, eps=1e-5), x, gamma, beta, None
        )
        mu32 = x.mean(axis=0)
        var32 = (x * x).mean(axis=0) - mu32 * mu32
        one_pass = gamma * (x - mu32) / np.sqrt(np.maximum(var32, 0) + np.float32(1e-5)) + beta
        out, _ = submission.batchnorm_forward(*h.copies(x, gamma, beta), {"mode": "train"})
        h.check(out, expected, "out", np.float32, hints={
            "computed the variance in one pass as E[x^2] - E[x]^2, which loses float32 precision when the mean is "
            "large compared with the spread; use the mean of (x - mean)**2": one_pass,
        })


def _running_steps(submission, h, rng, D, steps, momentum=None, eps=None, start=None, dtype=np.float64):
    """Several train steps; check running statistics after each; return (bn_param, expected mean, var)."""
    bn_param = {"mode": "train"}
    if momentum is not None:
        bn_param["momentum"] = momentum
    if eps is not None:
        bn_param["eps"] = eps
    m = 0.9 if momentum is None else momentum
    if start is None:
        running_mean, running_var = np.zeros(D), np.ones(D)
    else:
        running_mean, running_var = (np.array(a, dtype=np.float64) for a in start)
        bn_param["running_mean"] = start[0].astype(dtype)
        bn_param["running_var"] = start[1].astype(dtype)
    for step in range(steps):
        N = int(rng.integers(4, 40))
        x = h.make_data(rng, (N, D), "normal").astype(dtype)
        gamma, beta = (a.astype(dtype) for a in h.make_affine(rng, D))
        x64 = x.astype(np.float64)
        mu, var = x64.mean(axis=0), x64.var(axis=0)
        hints_mean = {
            "used torch's convention (momentum weighs the new value); here momentum weighs the running value":
                (1 - m) * running_mean + m * mu,
            "did not store the updated running mean back in bn_param": running_mean,
        }
        hints_var = {
            "updated running_var with the unbiased variance; use the biased batch variance":
                m * running_var + (1 - m) * x64.var(axis=0, ddof=1),
            "used torch's convention (momentum weighs the new value); here momentum weighs the running value":
                (1 - m) * running_var + m * var,
            "did not store the updated running variance back in bn_param": running_var,
            "accumulated the standard deviation instead of the variance": m * running_var + (1 - m) * np.sqrt(var),
        }
        running_mean = m * running_mean + (1 - m) * mu
        running_var = m * running_var + (1 - m) * var
        submission.batchnorm_forward(*h.copies(x, gamma, beta), bn_param)
        if "running_mean" not in bn_param or "running_var" not in bn_param:
            raise AssertionError("bn_param must hold 'running_mean' and 'running_var' after a train step")
        h.check(bn_param["running_mean"], running_mean, f"running_mean after step {step + 1}", dtype, hints_mean)
        h.check(bn_param["running_var"], running_var, f"running_var after step {step + 1}", dtype, hints_var)
    return bn_param, running_mean, running_var


def _test_mode_check(submission, h, rng, bn_param, running_mean, running_var, eps, dtype=np.float64):
    D = running_mean.shape[0]
    N = int(rng.integers(1, 20))
    x = h.make_data(rng, (N, D), "normal").astype(dtype)
    gamma, beta = (a.astype(dtype) for a in h.make_affine(rng, D))
    rm, rv = h.torch.tensor(running_mean), h.torch.tensor(running_var)
    expected, *_ = h.torch_layer(
        lambda xt, gt, bt: h.F.batch_norm(xt, rm, rv, gt, bt, training=False, eps=eps), x, gamma, beta, None
    )
    bn_param["mode"] = "test"
    out, _ = submission.batchnorm_forward(*h.copies(x, gamma, beta), bn_param)
    x64, g64, b64 = (a.astype(np.float64) for a in (x, gamma, beta))
    hints = {}
    if N > 1:
        hints["normalised with the batch statistics in test mode; use the running ones"] = (
            g64 * (x64 - x64.mean(0)) / np.sqrt(x64.var(0) + eps) + b64
        )
    hints["forgot eps in test mode"] = g64 * (x64 - running_mean) / np.sqrt(running_var) + b64
    hints["divided by the running variance instead of its square root"] = (
        g64 * (x64 - running_mean) / (running_var + eps) + b64
    )
    h.check(out, expected, "out (test mode)", dtype, hints)
    h.check(bn_param["running_mean"], running_mean, "running_mean after a test-mode call (test mode must not update it)", dtype)
    h.check(bn_param["running_var"], running_var, "running_var after a test-mode call (test mode must not update it)", dtype)


def test_running_statistics_default_momentum(submission, h, rng):
    """Running statistics start at zeros/ones and follow CS231n's rule (momentum 0.9) over 6 steps."""
    D = int(rng.integers(2, 30))
    _running_steps(submission, h, rng, D, 6)


def test_running_statistics_custom_momentum(submission, h, rng):
    """bn_param['momentum'] is used, starting from given running statistics."""
    D = int(rng.integers(2, 30))
    start = (rng.uniform(-1, 1, D), rng.uniform(0.5, 2.0, D))
    _running_steps(submission, h, rng, D, 4, momentum=0.7, start=start)


def test_test_mode_after_training(submission, h, rng):
    """Test mode after several train steps normalises with the running statistics."""
    D = int(rng.integers(2, 30))
    bn_param, rm, rv = _running_steps(submission, h, rng, D, 5, momentum=0.8)
    _test_mode_check(submission, h, rng, bn_param, rm, rv, 1e-5)


def test_test_mode_given_statistics_custom_eps(submission, h, rng):
    """Test mode with given running statistics (small variances) and a custom eps; N may be 1."""
    D = int(rng.integers(1, 30))
    rm = rng.uniform(-2, 2, D)
    rv = rng.uniform(1e-4, 1e-2, D)
    bn_param = {"mode": "test", "running_mean": rm.copy(), "running_var": rv.copy(), "eps": 1e-3}
    _test_mode_check(submission, h, rng, bn_param, rm, rv, 1e-3)


def test_test_mode_without_running_statistics(submission, h, rng):
    """Test mode on a bn_param without running statistics uses the defaults (zeros and ones)."""
    D = int(rng.integers(1, 30))
    N = int(rng.integers(2, 20))
    x = h.make_data(rng, (N, D), "normal")
    gamma, beta = h.make_affine(rng, D)
    rm, rv = h.torch.zeros(D, dtype=h.torch.float64), h.torch.ones(D, dtype=h.torch.float64)
    expected, *_ = h.torch_layer(
        lambda xt, gt, bt: h.F.batch_norm(xt, rm, rv, gt, bt, training=False, eps=1e-5), x, gamma, beta, None
    )
    out, _ = submission.batchnorm_forward(*h.copies(x, gamma, beta), {"mode": "test"})
    h.check(out, expected, "out (test mode, no running statistics given)", hints={
        "normalised with the batch statistics in test mode; use the running ones (zeros/ones when absent)":
            gamma * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5) + beta,
    })


def test_test_mode_float32(submission, h, rng):
    """float32 train steps then test mode, float32 tolerances."""
    D = int(rng.integers(2, 30))
    bn_param, rm, rv = _running_steps(submission, h, rng, D, 3, dtype=np.float32)
    _test_mode_check(submission, h, rng, bn_param, rm, rv, 1e-5, dtype=np.float32)
