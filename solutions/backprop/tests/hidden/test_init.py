"""Hidden tests: Xavier / Kaiming initialisation, statistics against the torch.nn.init formulas.

Each statistic is compared with a tolerance of at least 6 standard errors on arrays
of 45 000+ entries, so a correct implementation fails with negligible probability.
"""

import math

import numpy as np
import pytest
from helpers import array_like

from autograder.testing import assert_close, assert_scalar_close, oracle
from autograder.testing.lazy_torch import torch

pytestmark = pytest.mark.task("init")

NORMAL_WITHIN_ONE_STD = math.erf(1 / math.sqrt(2))  # 0.6827
UNIFORM_WITHIN_ONE_STD = 1 / math.sqrt(3)           # 0.5774


def _fans(rng):
    """fan_in in [300, 500] and a fan_out 0.5-0.7 or 1.4-1.7 times it: the variances of the mistakes
    (fan_out for fan_in, no ReLU gain, ...) then differ from each other and from the right one by > 15%."""
    fan_in = int(rng.integers(300, 501))
    ratio = rng.uniform(0.5, 0.7) if rng.random() < 0.5 else rng.uniform(1.4, 1.7)
    return fan_in, int(round(fan_in * ratio))


@oracle
def _torch_std(kind, fan_in, fan_out):
    """The std torch.nn.init gives a Linear weight of shape (fan_out, fan_in)."""
    weight = torch.empty(fan_out, fan_in, dtype=torch.float64)
    t_fan_in, t_fan_out = torch.nn.init._calculate_fan_in_and_fan_out(weight)
    if kind == "xavier":
        return torch.nn.init.calculate_gain("linear") * math.sqrt(2.0 / (t_fan_in + t_fan_out))
    return torch.nn.init.calculate_gain("relu") / math.sqrt(t_fan_in)


def _variance_hints(name, fan_in, fan_out, std):
    if name == "kaiming_normal":
        return {"init_fan_out_for_fan_in": 2.0 / fan_out, "kaiming_without_relu_gain": 1.0 / fan_in}
    if name == "xavier_uniform":
        return {"xavier_std_as_uniform_bound": std**2 / 3}
    return {}


def _weights(submission, name, rng):
    """The student's weights for random fans. Statistics do not depend on the layout, so torch's
    (fan_out, fan_in) is accepted here: the layout has a test of its own."""
    fan_in, fan_out = _fans(rng)
    W = getattr(submission, name)(fan_in, fan_out, np.random.default_rng(int(rng.integers(1 << 30))))
    if isinstance(W, np.ndarray) and W.shape == (fan_out, fan_in):
        W = W.T
    return array_like(W, np.empty((fan_in, fan_out)), name), fan_in, fan_out


@pytest.mark.parametrize("name", ["xavier_uniform", "xavier_normal", "kaiming_normal"])
def test_shape(submission, rng, name):
    """the weights have shape (fan_in, fan_out) (x @ W in this course; torch stores (fan_out, fan_in))."""
    fan_in, fan_out = _fans(rng)
    W = getattr(submission, name)(fan_in, fan_out, np.random.default_rng(int(rng.integers(1 << 30))))
    array_like(W, W, name)  # an array at all
    assert_close(np.array(W.shape, dtype=float), np.array([fan_in, fan_out], dtype=float), name=f"shape of {name} weights",
                 rtol=0, atol=0, hints={"init_torch_layout": np.array([fan_out, fan_in], dtype=float)})


@pytest.mark.parametrize("name", ["xavier_uniform", "xavier_normal", "kaiming_normal"])
def test_mean_is_zero(submission, rng, name):
    """the weights have mean 0."""
    W, fan_in, fan_out = _weights(submission, name, rng)
    std = max(_torch_std("kaiming" if name == "kaiming_normal" else "xavier", fan_in, fan_out), float(W.std()))
    assert_scalar_close(W.mean(), 0.0, name=f"mean of {name} weights", rtol=0, atol=6 * std / math.sqrt(W.size))


@pytest.mark.parametrize("name", ["xavier_uniform", "xavier_normal", "kaiming_normal"])
def test_variance(submission, rng, name):
    """the weights' variance is torch.nn.init's: 2/(fan_in+fan_out) for Xavier, 2/fan_in for Kaiming (ReLU, fan-in)."""
    W, fan_in, fan_out = _weights(submission, name, rng)
    std = _torch_std("kaiming" if name == "kaiming_normal" else "xavier", fan_in, fan_out)
    assert_scalar_close(W.var(), std**2, name=f"variance of {name} weights", rtol=0.05, hints=_variance_hints(name, fan_in, fan_out, std))


@pytest.mark.parametrize("name", ["xavier_uniform", "xavier_normal", "kaiming_normal"])
def test_distribution_shape(submission, rng, name):
    """the fraction of weights within one std of 0: 0.577 for a uniform, 0.683 for a normal distribution."""
    W, fan_in, fan_out = _weights(submission, name, rng)
    std = float(np.sqrt(W.var())) if W.size else 1.0  # the student's own scale: only the shape is tested here
    expected = UNIFORM_WITHIN_ONE_STD if name == "xavier_uniform" else NORMAL_WITHIN_ONE_STD
    hints = {"init_normal_not_uniform": NORMAL_WITHIN_ONE_STD} if name == "xavier_uniform" else {"init_uniform_not_normal": UNIFORM_WITHIN_ONE_STD}
    assert_scalar_close(float(np.mean(np.abs(W) < std)), expected, name=f"fraction of {name} weights within one std of 0",
                        rtol=0, atol=0.015, hints=hints)


def test_xavier_uniform_bound(submission, rng):
    """xavier_uniform: every entry within a = sqrt(6/(fan_in+fan_out)), and the bound is reached."""
    W, fan_in, fan_out = _weights(submission, "xavier_uniform", rng)
    bound = math.sqrt(3.0) * _torch_std("xavier", fan_in, fan_out)
    largest = float(np.max(np.abs(W))) if W.size else 0.0
    assert_scalar_close(largest, bound, name="largest |entry| (should approach the bound a)", rtol=0.01,
                        hints={"xavier_std_as_uniform_bound": math.sqrt(2.0 / (fan_in + fan_out))})


@pytest.mark.parametrize("name", ["xavier_uniform", "xavier_normal", "kaiming_normal"])
def test_draws_from_the_given_rng(submission, rng, name):
    """the initialisers draw from the rng argument (not np.random's global state)."""
    fan_in, fan_out, seed = int(rng.integers(20, 60)), int(rng.integers(20, 60)), int(rng.integers(1 << 30))
    fn = getattr(submission, name)
    a = fn(fan_in, fan_out, np.random.default_rng(seed))
    b = fn(fan_in, fan_out, np.random.default_rng(seed))
    assert_close(b, a, name=f"{name} with an identically seeded rng (draw from the rng you are given)", rtol=0, atol=0)
    c = array_like(fn(fan_in, fan_out, np.random.default_rng(seed + 1)), np.asarray(a), name)
    assert_scalar_close(float(np.mean(c == np.asarray(a))), 0.0, name="fraction of equal entries for two different rngs",
                        rtol=0, atol=0.01)
