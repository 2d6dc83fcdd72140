"""Hidden tests: L1, MSE and smooth L1 losses against torch.nn.functional."""

import numpy as np
import pytest
import torch.nn.functional as F

from autograder.testing import assert_close, assert_scalar_close


def _shape(rng):
    return tuple(int(s) for s in rng.integers(1, 7, size=int(rng.integers(1, 4))))


def _check(submission, name, oracle_fn, pred, target, tol, *extra):
    loss, dpred = getattr(submission, name)(pred.copy(), target.copy(), *extra)
    expected_loss, expected_grad = oracle_fn(pred, target)
    assert_scalar_close(loss, expected_loss, name="loss", **tol)
    assert_close(dpred, expected_grad, name="dpred", **tol)


# ---------------------------------------------------------------- l1 / mse


@pytest.mark.task("l1_mse")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_l1_random_shapes(submission, rng, oracle, tolerances, dtype):
    """l1_loss matches F.l1_loss on a random shape."""
    shape = _shape(rng)
    pred = rng.normal(size=shape).astype(dtype)
    target = rng.normal(size=shape).astype(dtype)
    _check(submission, "l1_loss", lambda p, t: oracle(F.l1_loss, p, t), pred, target, tolerances(dtype))


@pytest.mark.task("l1_mse")
def test_l1_zero_where_equal(submission, rng, oracle, tolerances):
    """l1_loss: gradient 0 where pred == target; a 2-D batch."""
    n, d = int(rng.integers(3, 20)), int(rng.integers(2, 8))
    pred = rng.normal(size=(n, d)) * 3
    target = rng.normal(size=(n, d)) * 3
    equal = rng.random((n, d)) < 0.3
    equal[0, 0] = True
    target[equal] = pred[equal]
    _check(submission, "l1_loss", lambda p, t: oracle(F.l1_loss, p, t), pred, target, tolerances(np.float64))


@pytest.mark.task("l1_mse")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mse_random_shapes(submission, rng, oracle, tolerances, dtype):
    """mse_loss matches F.mse_loss on a random shape."""
    shape = _shape(rng)
    pred = (rng.normal(size=shape) * 2).astype(dtype)
    target = rng.normal(size=shape).astype(dtype)
    _check(submission, "mse_loss", lambda p, t: oracle(F.mse_loss, p, t), pred, target, tolerances(dtype))


@pytest.mark.task("l1_mse")
def test_mse_batch_of_one_large_values(submission, rng, oracle, tolerances):
    """mse_loss: batch of one, values of magnitude 1e3 (d >= 2, so len(pred) != pred.size)."""
    d = int(rng.integers(2, 6))
    pred = rng.normal(size=(1, d)) * 1e3
    target = rng.normal(size=(1, d)) * 1e3
    _check(submission, "mse_loss", lambda p, t: oracle(F.mse_loss, p, t), pred, target, tolerances(np.float64))


# ---------------------------------------------------------------- smooth l1


def _smooth_inputs(rng, shape, beta, dtype=np.float64):
    """Differences on both sides of beta, kept away from the kink |d| == beta."""
    magnitude = rng.uniform(0.05, 3.0, size=shape) * beta
    magnitude = np.where(np.abs(magnitude - beta) < 0.05 * beta, magnitude + 0.2 * beta, magnitude)
    diff = magnitude * rng.choice([-1.0, 1.0], size=shape)
    target = rng.normal(size=shape)
    return (target + diff).astype(dtype), target.astype(dtype)


def _smooth_oracle(oracle, beta):
    return lambda p, t: oracle(lambda x, tt: F.smooth_l1_loss(x, tt, beta=beta), p, t)


@pytest.mark.task("smooth_l1")
def test_smooth_l1_default_beta(submission, rng, oracle, tolerances):
    """smooth_l1_loss with the default beta = 1 (argument omitted)."""
    pred, target = _smooth_inputs(rng, _shape(rng) + (4,), 1.0)
    loss, dpred = submission.smooth_l1_loss(pred.copy(), target.copy())
    expected_loss, expected_grad = _smooth_oracle(oracle, 1.0)(pred, target)
    assert_scalar_close(loss, expected_loss, name="loss")
    assert_close(dpred, expected_grad, name="dpred")


@pytest.mark.task("smooth_l1")
@pytest.mark.parametrize("beta_range", [(0.1, 0.6), (1.5, 4.0)])
def test_smooth_l1_other_beta(submission, rng, oracle, tolerances, beta_range):
    """smooth_l1_loss with beta != 1, differences on both sides of beta."""
    beta = float(rng.uniform(*beta_range))
    pred, target = _smooth_inputs(rng, (int(rng.integers(2, 30)), int(rng.integers(1, 6))), beta)
    _check(submission, "smooth_l1_loss", _smooth_oracle(oracle, beta), pred, target, tolerances(np.float64), beta)


@pytest.mark.task("smooth_l1")
def test_smooth_l1_float32(submission, rng, oracle, tolerances):
    """smooth_l1_loss on float32 inputs, beta = 0.5."""
    pred, target = _smooth_inputs(rng, (int(rng.integers(2, 30)), 3), 0.5, np.float32)
    _check(submission, "smooth_l1_loss", _smooth_oracle(oracle, 0.5), pred, target, tolerances(np.float32), 0.5)
