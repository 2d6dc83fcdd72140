"""Hidden tests: batchnorm_forward (train and test mode, running statistics).

Every test passes bn_param in full (eps, momentum, running_mean, running_var) except the
tests of the defaults, one per default, so a convention difference costs only its test.
"""

import numpy as np
import pytest

from helpers import (as64, batchnorm_test, batchnorm_test_hints, batchnorm_train, batchnorm_train_hints, check,
                     make_affine, make_data, make_running, normalise, read_running, running_hints, running_update)

pytestmark = pytest.mark.task("bn_forward")


def _train_param(rng, D, eps, dtype=np.float64, momentum=0.9):
    running_mean, running_var = make_running(rng, D, dtype)
    return {"mode": "train", "eps": eps, "momentum": momentum, "running_mean": running_mean, "running_var": running_var}


def _train_case(submission, rng, N, D, kind, dtype=np.float64, eps=1e-5):
    """One train-mode call; its output is compared with torch (running statistics are other tests' business)."""
    x = make_data(rng, (N, D), kind).astype(dtype)
    gamma, beta = make_affine(rng, D, dtype)
    expected, _ = batchnorm_train(x, gamma, beta, eps)
    out, _ = submission.batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), _train_param(rng, D, eps, dtype))
    check(out, expected, "out", dtype, hints=batchnorm_train_hints(*as64(x, gamma, beta), eps))


def test_train_output_random_shapes(submission, rng):
    """Train-mode output matches torch.nn.functional.batch_norm on random shapes."""
    for _ in range(3):
        _train_case(submission, rng, int(rng.integers(2, 65)), int(rng.integers(2, 40)), "normal")


def test_train_large_mean_and_variance(submission, rng):
    """Train mode with features of mean ~1e3 and std ~1e2."""
    _train_case(submission, rng, int(rng.integers(8, 65)), int(rng.integers(2, 20)), "large")


def test_train_small_variance(submission, rng):
    """Train mode where the variance (~1e-6) is comparable to eps (1e-5 and 3e-6, given in bn_param)."""
    _train_case(submission, rng, int(rng.integers(8, 65)), int(rng.integers(2, 20)), "small", eps=1e-5)
    _train_case(submission, rng, int(rng.integers(8, 65)), int(rng.integers(2, 20)), "small", eps=3e-6)


def test_train_single_feature_and_tiny_batch(submission, rng):
    """D = 1 and small batches (N = 2, 3)."""
    _train_case(submission, rng, 2, 1, "normal")
    _train_case(submission, rng, 3, 1, "normal")
    _train_case(submission, rng, 2, int(rng.integers(2, 10)), "normal")


def test_train_float32(submission, rng):
    """float32 inputs, float32 tolerances."""
    _train_case(submission, rng, int(rng.integers(8, 65)), int(rng.integers(2, 30)), "normal", dtype=np.float32)


def test_train_float32_large_offset(submission, rng):
    """float32 features whose mean is 20-30x their std: compute the variance as mean((x - mean)**2), not E[x^2] - E[x]^2."""
    for _ in range(3):
        N, D = int(rng.integers(16, 65)), int(rng.integers(4, 30))
        x = make_data(rng, (N, D), "offset").astype(np.float32)
        gamma, beta = make_affine(rng, D, np.float32)
        expected, _ = batchnorm_train(x, gamma, beta, 1e-5)
        mu32 = x.mean(axis=0)
        var32 = (x * x).mean(axis=0) - mu32 * mu32
        one_pass = gamma * (x - mu32) / np.sqrt(np.maximum(var32, 0) + np.float32(1e-5)) + beta
        out, _ = submission.batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), _train_param(rng, D, 1e-5, np.float32))
        check(out, expected, "out", np.float32, hints={"one_pass_variance": one_pass})


# ----------------------------------------------------------------- running statistics


def _running_steps(submission, rng, D, steps, momentum, dtype=np.float64):
    """Train steps from explicit running statistics; each step's running_mean/running_var are checked."""
    start_mean, start_var = make_running(rng, D, dtype)
    bn_param = {"mode": "train", "eps": 1e-5, "momentum": momentum, "running_mean": start_mean, "running_var": start_var}
    running_mean, running_var = as64(start_mean, start_var)
    for step in range(1, steps + 1):
        x = make_data(rng, (int(rng.integers(4, 40)), D), "normal").astype(dtype)
        gamma, beta = make_affine(rng, D, dtype)
        x64 = x.astype(np.float64)
        mean_hints, var_hints = running_hints(running_mean, running_var, x64, 0, momentum)
        running_mean = running_update(running_mean, x64.mean(axis=0), momentum)
        running_var = running_update(running_var, x64.var(axis=0), momentum)
        submission.batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), bn_param)
        check(read_running(bn_param, "running_mean", step), running_mean, f"running_mean after step {step}", dtype, mean_hints)
        check(read_running(bn_param, "running_var", step), running_var, f"running_var after step {step}", dtype, var_hints)


def test_running_statistics(submission, rng):
    """Six train steps (momentum 0.9 given): running statistics follow CS231n's rule with the biased variance."""
    _running_steps(submission, rng, int(rng.integers(2, 30)), 6, 0.9)


def test_running_statistics_custom_momentum(submission, rng):
    """bn_param['momentum'] = 0.7 is used."""
    _running_steps(submission, rng, int(rng.integers(2, 30)), 4, 0.7)


def test_running_statistics_float32(submission, rng):
    """float32 train steps, float32 tolerances."""
    _running_steps(submission, rng, int(rng.integers(2, 30)), 3, 0.8, dtype=np.float32)


# ----------------------------------------------------------------- test mode


def _test_mode_case(submission, rng, bn_param, N, dtype=np.float64):
    """A test-mode call with bn_param (its running statistics as floats): out matches torch, statistics unchanged."""
    running_mean, running_var = as64(bn_param["running_mean"], bn_param["running_var"])
    eps = bn_param["eps"]
    D = running_mean.shape[0]
    x = make_data(rng, (N, D), "normal").astype(dtype)
    gamma, beta = make_affine(rng, D, dtype)
    expected = batchnorm_test(x, gamma, beta, running_mean, running_var, eps)
    bn_param["mode"] = "test"
    out, _ = submission.batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), bn_param)
    check(out, expected, "out (test mode)", dtype, batchnorm_test_hints(*as64(x, gamma, beta), running_mean, running_var, eps))
    check(read_running(bn_param, "running_mean"), running_mean, "running_mean after a test-mode call (test mode must not update it)", dtype)
    check(read_running(bn_param, "running_var"), running_var, "running_var after a test-mode call (test mode must not update it)", dtype)


def test_test_mode_given_statistics(submission, rng):
    """Test mode normalises with the running statistics in bn_param (small variances, eps 1e-3); N = 1 too."""
    D = int(rng.integers(1, 30))
    for N in (int(rng.integers(2, 20)), 1):
        bn_param = {"mode": "test", "eps": 1e-3, "momentum": 0.9,
                    "running_mean": rng.uniform(-2, 2, D), "running_var": rng.uniform(1e-4, 1e-2, D)}
        _test_mode_case(submission, rng, bn_param, N)


def test_test_mode_after_training(submission, rng):
    """Test mode after train steps normalises with the running statistics those steps left in bn_param
    (whatever they are: the update rule is tested on its own)."""
    D = int(rng.integers(2, 30))
    bn_param = _train_param(rng, D, 1e-5, momentum=0.8)
    for _ in range(3):
        x = make_data(rng, (int(rng.integers(4, 40)), D), "normal")
        submission.batchnorm_forward(x, *make_affine(rng, D), bn_param)
    for key in ("running_mean", "running_var"):
        stored = np.asarray(read_running(bn_param, key))
        if stored.shape != (D,) or stored.dtype.kind != "f":
            raise AssertionError(f"bn_param['{key}'] after training: expected a float array of shape ({D},), "
                                 f"got shape {stored.shape} and dtype {stored.dtype}")
    _test_mode_case(submission, rng, bn_param, int(rng.integers(2, 20)))


def test_test_mode_float32(submission, rng):
    """float32 inputs and running statistics in test mode, float32 tolerances."""
    D = int(rng.integers(2, 30))
    running_mean, running_var = make_running(rng, D, np.float32)
    bn_param = {"mode": "test", "eps": 1e-5, "momentum": 0.9, "running_mean": running_mean, "running_var": running_var}
    _test_mode_case(submission, rng, bn_param, int(rng.integers(2, 20)), dtype=np.float32)


# ----------------------------------------------------------------- defaults, one per test


def test_default_eps(submission, rng):
    """Without bn_param['eps'], eps is 1e-5: train mode on variances ~1e-6, test mode on running variances ~1e-5."""
    N, D = int(rng.integers(8, 65)), int(rng.integers(2, 20))
    x = make_data(rng, (N, D), "small")
    gamma, beta = make_affine(rng, D)
    running_mean, running_var = make_running(rng, D)
    expected, _ = batchnorm_train(x, gamma, beta, 1e-5)
    bn_param = {"mode": "train", "momentum": 0.9, "running_mean": running_mean.copy(), "running_var": running_var.copy()}
    out, _ = submission.batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), bn_param)
    hints = batchnorm_train_hints(x, gamma, beta, 1e-5)
    hints["keras_eps_default"] = gamma * normalise(x, 0, 1e-3) + beta
    check(out, expected, "out (train mode, no eps in bn_param)", hints=hints)
    running_mean, running_var = rng.uniform(-2, 2, D), rng.uniform(5e-6, 5e-5, D)
    x = running_mean + np.sqrt(running_var) * rng.standard_normal((N, D))
    expected = batchnorm_test(x, gamma, beta, running_mean, running_var, 1e-5)
    bn_param = {"mode": "test", "momentum": 0.9, "running_mean": running_mean.copy(), "running_var": running_var.copy()}
    out, _ = submission.batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), bn_param)
    hints = batchnorm_test_hints(x, gamma, beta, running_mean, running_var, 1e-5)
    hints["keras_eps_default"] = gamma * (x - running_mean) / np.sqrt(running_var + 1e-3) + beta
    check(out, expected, "out (test mode, no eps in bn_param)", hints=hints)


def test_default_momentum(submission, rng):
    """Without bn_param['momentum'], momentum is 0.9 (two train steps from given running statistics)."""
    D = int(rng.integers(2, 30))
    running_mean, running_var = make_running(rng, D)
    bn_param = {"mode": "train", "eps": 1e-5, "running_mean": running_mean.copy(), "running_var": running_var.copy()}
    for step in (1, 2):
        x = make_data(rng, (int(rng.integers(4, 40)), D), "normal")
        mean_hints, var_hints = running_hints(running_mean, running_var, x, 0, 0.9)
        mean_hints["keras_momentum_default"] = running_update(running_mean, x.mean(axis=0), 0.99)
        var_hints["keras_momentum_default"] = running_update(running_var, x.var(axis=0), 0.99)
        running_mean = running_update(running_mean, x.mean(axis=0), 0.9)
        running_var = running_update(running_var, x.var(axis=0), 0.9)
        submission.batchnorm_forward(x.copy(), *make_affine(rng, D), bn_param)
        check(read_running(bn_param, "running_mean", step), running_mean, f"running_mean after step {step} (no momentum in bn_param)",
              hints=mean_hints)
        check(read_running(bn_param, "running_var", step), running_var, f"running_var after step {step} (no momentum in bn_param)",
              hints=var_hints)


def test_default_running_mean(submission, rng):
    """Without bn_param['running_mean'], the running mean starts at zeros: in train mode (the first update) and in test mode."""
    D, N = int(rng.integers(2, 30)), int(rng.integers(4, 40))
    x = make_data(rng, (N, D), "normal")
    _, running_var = make_running(rng, D)
    bn_param = {"mode": "train", "eps": 1e-5, "momentum": 0.9, "running_var": running_var.copy()}
    submission.batchnorm_forward(x.copy(), *make_affine(rng, D), bn_param)
    check(read_running(bn_param, "running_mean"), running_update(np.zeros(D), x.mean(axis=0), 0.9),
          "running_mean after a train step from a bn_param without running_mean")
    x = make_data(rng, (N, D), "normal")
    gamma, beta = make_affine(rng, D)
    bn_param = {"mode": "test", "eps": 1e-5, "momentum": 0.9, "running_var": running_var.copy()}
    out, _ = submission.batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), bn_param)
    check(out, batchnorm_test(x, gamma, beta, np.zeros(D), running_var, 1e-5), "out (test mode, no running_mean in bn_param)",
          hints=batchnorm_test_hints(x, gamma, beta, np.zeros(D), running_var, 1e-5))


def test_default_running_var(submission, rng):
    """Without bn_param['running_var'], the running variance starts at ones: in train mode (the first update) and in test mode."""
    D, N = int(rng.integers(2, 30)), int(rng.integers(4, 40))
    x = make_data(rng, (N, D), "normal")
    running_mean, _ = make_running(rng, D)
    bn_param = {"mode": "train", "eps": 1e-5, "momentum": 0.9, "running_mean": running_mean.copy()}
    submission.batchnorm_forward(x.copy(), *make_affine(rng, D), bn_param)
    check(read_running(bn_param, "running_var"), running_update(np.ones(D), x.var(axis=0), 0.9),
          "running_var after a train step from a bn_param without running_var",
          hints={"cs231n_running_var_zeros": running_update(np.zeros(D), x.var(axis=0), 0.9)})
    x = make_data(rng, (N, D), "normal")
    gamma, beta = make_affine(rng, D)
    bn_param = {"mode": "test", "eps": 1e-5, "momentum": 0.9, "running_mean": running_mean.copy()}
    out, _ = submission.batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), bn_param)
    hints = batchnorm_test_hints(x, gamma, beta, running_mean, np.ones(D), 1e-5)
    hints["cs231n_running_var_zeros"] = gamma * (x - running_mean) / np.sqrt(1e-5) + beta
    check(out, batchnorm_test(x, gamma, beta, running_mean, np.ones(D), 1e-5), "out (test mode, no running_var in bn_param)",
          hints=hints)
