"""Hidden tests: Xavier / Kaiming initialisation, statistics against the torch.nn.init formulas.

Each statistic is compared with a tolerance of at least 6 standard errors on arrays
of 45 000+ entries, so a correct implementation fails with negligible probability.
"""

import math

import numpy as np
import pytest
import torch

from autograder.testing import assert_close, assert_scalar_close

pytestmark = pytest.mark.task("init")

NORMAL_WITHIN_ONE_STD = math.erf(1 / math.sqrt(2))  # 0.6827
UNIFORM_WITHIN_ONE_STD = 1 / math.sqrt(3)           # 0.5774


def _fans(rng):
    """fan_in in [300, 500] and a fan_out clearly different from it."""
    fan_in = int(rng.integers(300, 501))
    ratio = rng.uniform(0.5, 0.7) if rng.random() < 0.5 else rng.uniform(1.4, 2.0)
    return fan_in, int(round(fan_in * ratio))


def _torch_std(kind, fan_in, fan_out):
    """The std torch.nn.init gives a Linear weight of shape (fan_out, fan_in)."""
    weight = torch.empty(fan_out, fan_in, dtype=torch.float64)
    t_fan_in, t_fan_out = torch.nn.init._calculate_fan_in_and_fan_out(weight)
    if kind == "xavier":
        return torch.nn.init.calculate_gain("linear") * math.sqrt(2.0 / (t_fan_in + t_fan_out))
    return torch.nn.init.calculate_gain("relu") / math.sqrt(t_fan_in)


def _check_stats(W, fan_in, fan_out, std, within_one_std, what):
    W = np.asarray(W, dtype=np.float64)
    if W.shape != (fan_in, fan_out):
        assert_close(W, np.zeros((fan_in, fan_out)), name=f"{what} (shape)")
    n = W.size
    assert_scalar_close(W.mean(), 0.0, name=f"mean of {what}", rtol=0, atol=6 * std / math.sqrt(n))
    assert_scalar_close(W.var(), std**2, name=f"variance of {what}", rtol=0.05,
                        hints={"used fan_in only (LeCun / Kaiming style) where Xavier averages fan_in and fan_out":
                               1.0 / fan_in,
                               "used fan_out instead of fan_in": 2.0 / fan_out,
                               "forgot the ReLU gain of 2 (used 1 / fan_in)": 1.0 / fan_in,
                               "used the std where the uniform limit belongs (variance 3x too small)": std**2 / 3})
    fraction = float(np.mean(np.abs(W) < std))
    assert_scalar_close(fraction, within_one_std, name=f"fraction of {what} within one std of 0", rtol=0, atol=0.015,
                        hints={"drew from a uniform distribution where a normal one is asked for": UNIFORM_WITHIN_ONE_STD,
                               "drew from a normal distribution where a uniform one is asked for": NORMAL_WITHIN_ONE_STD})


def _check_uses_rng(submission, name, fan_in, fan_out, seed):
    fn = getattr(submission, name)
    a = fn(fan_in, fan_out, np.random.default_rng(seed))
    b = fn(fan_in, fan_out, np.random.default_rng(seed))
    assert_close(b, a, name=f"{name} with an identically seeded rng (draw from the rng you are given)", rtol=0, atol=0)
    c = np.asarray(fn(fan_in, fan_out, np.random.default_rng(seed + 1)), dtype=np.float64)
    assert_scalar_close(float(np.mean(c == np.asarray(a))), 0.0, name="fraction of equal entries for two different rngs",
                        rtol=0, atol=0.01)


def test_xavier_uniform_statistics(submission, rng):
    """xavier_uniform: shape (fan_in, fan_out), variance 2/(fan_in+fan_out), uniform shape."""
    fan_in, fan_out = _fans(rng)
    std = _torch_std("xavier", fan_in, fan_out)
    W = submission.xavier_uniform(fan_in, fan_out, np.random.default_rng(int(rng.integers(1 << 30))))
    _check_stats(W, fan_in, fan_out, std, UNIFORM_WITHIN_ONE_STD, "xavier_uniform weights")


def test_xavier_uniform_bounds(submission, rng):
    """xavier_uniform: every entry within the bound a = sqrt(6/(fan_in+fan_out)), and the bound is reached."""
    fan_in, fan_out = _fans(rng)
    bound = math.sqrt(3.0) * _torch_std("xavier", fan_in, fan_out)
    W = np.asarray(submission.xavier_uniform(fan_in, fan_out, np.random.default_rng(int(rng.integers(1 << 30)))),
                   dtype=np.float64)
    largest = float(np.max(np.abs(W))) if W.size else 0.0
    assert_scalar_close(largest, bound, name="largest |entry| (should approach the bound a)", rtol=0.01,
                        hints={"used sqrt(2/(fan_in+fan_out)) as the bound": math.sqrt(2.0 / (fan_in + fan_out))})


def test_xavier_normal_statistics(submission, rng):
    """xavier_normal: shape (fan_in, fan_out), std sqrt(2/(fan_in+fan_out)), normal shape."""
    fan_in, fan_out = _fans(rng)
    std = _torch_std("xavier", fan_in, fan_out)
    W = submission.xavier_normal(fan_in, fan_out, np.random.default_rng(int(rng.integers(1 << 30))))
    _check_stats(W, fan_in, fan_out, std, NORMAL_WITHIN_ONE_STD, "xavier_normal weights")


def test_kaiming_normal_statistics(submission, rng):
    """kaiming_normal: shape (fan_in, fan_out), std sqrt(2/fan_in), normal shape."""
    fan_in, fan_out = _fans(rng)
    std = _torch_std("kaiming", fan_in, fan_out)
    W = submission.kaiming_normal(fan_in, fan_out, np.random.default_rng(int(rng.integers(1 << 30))))
    _check_stats(W, fan_in, fan_out, std, NORMAL_WITHIN_ONE_STD, "kaiming_normal weights")


@pytest.mark.parametrize("name", ["xavier_uniform", "xavier_normal", "kaiming_normal"])
def test_draws_from_the_given_rng(submission, rng, name):
    """the initialisers draw from the rng argument (not np.random's global state)."""
    _check_uses_rng(submission, name, int(rng.integers(20, 60)), int(rng.integers(20, 60)), int(rng.integers(1 << 30)))
