"""Hidden tests: L1, MSE and smooth L1 losses against torch.nn.functional; value and gradient tested apart.

API.md fixes l1_loss's gradient to 0 where pred == target; the test of that value looks at
those entries only.
"""

import numpy as np
import pytest
from helpers import check_gradient, check_value, loss_call, tolerances

from autograder.testing import assert_close_at
from autograder.testing.lazy_torch import F
from autograder.testing.torch_oracles import torch_loss_and_grad


def _shape(rng):
    """(N, D, ...) with D >= 2, so the number of elements is never len(pred) and a wrong axis always shows."""
    return (int(rng.integers(1, 7)), int(rng.integers(2, 7))) + tuple(int(s) for s in rng.integers(1, 5, size=int(rng.integers(0, 2))))


def _pair(rng, dtype, scale=1.0):
    shape = _shape(rng)
    return (rng.normal(size=shape) * scale).astype(dtype), rng.normal(size=shape).astype(dtype)


# ---------------------------------------------------------------- l1


def _l1_value_hints(pred, target):
    d = np.abs(np.asarray(pred, dtype=np.float64) - np.asarray(target, dtype=np.float64))
    return {"l1_mean_over_first_axis_only": d.sum() / d.shape[0]}


@pytest.mark.task("l1_mse")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_l1_value(submission, rng, dtype):
    """l1_loss value on a random shape: the mean over every element."""
    pred, target = _pair(rng, dtype)
    loss, _ = torch_loss_and_grad(F.l1_loss, pred, target)
    check_value(submission, "l1_loss", (pred, target), loss, tolerances(dtype), hints=_l1_value_hints(pred, target))


@pytest.mark.task("l1_mse")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_l1_gradient(submission, rng, dtype):
    """l1_loss gradient on a random shape (no pred == target)."""
    pred, target = _pair(rng, dtype)
    loss, grad = torch_loss_and_grad(F.l1_loss, pred, target)
    check_gradient(submission, "l1_loss", (pred, target), loss, grad, tolerances(dtype), "dpred")


@pytest.mark.task("l1_mse")
def test_l1_gradient_zero_where_equal(submission, rng):
    """l1_loss: the gradient is exactly 0 where pred == target (API.md, as torch)."""
    n, d = int(rng.integers(3, 20)), int(rng.integers(2, 8))
    pred = rng.normal(size=(n, d)) * 3
    target = rng.normal(size=(n, d)) * 3
    equal = rng.random((n, d)) < 0.3
    equal[0, 0] = True
    target[equal] = pred[equal]
    _, grad = torch_loss_and_grad(F.l1_loss, pred, target)
    _, (dpred,) = loss_call(submission, "l1_loss")(pred.copy(), target.copy())
    diff = pred - target
    assert_close_at(dpred, grad, equal, name="dpred where pred == target",
                    hints={"l1_minus_one_where_equal": np.where(diff > 0, 1.0, -1.0) / diff.size})


# ---------------------------------------------------------------- mse


def _mse_gradient_hints(pred, target):
    d = np.asarray(pred, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    return {"mse_gradient_without_factor_two": d / d.size, "mse_gradient_divided_by_first_axis": 2 * d / d.shape[0]}


@pytest.mark.task("l1_mse")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mse_value(submission, rng, dtype):
    """mse_loss value on a random shape."""
    pred, target = _pair(rng, dtype, scale=2.0)
    loss, _ = torch_loss_and_grad(F.mse_loss, pred, target)
    check_value(submission, "mse_loss", (pred, target), loss, tolerances(dtype), hints={"mse_with_one_half": 0.5 * loss})


@pytest.mark.task("l1_mse")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mse_gradient(submission, rng, dtype):
    """mse_loss gradient on a random shape."""
    pred, target = _pair(rng, dtype, scale=2.0)
    loss, grad = torch_loss_and_grad(F.mse_loss, pred, target)
    check_gradient(submission, "mse_loss", (pred, target), loss, grad, tolerances(dtype), "dpred", hints=_mse_gradient_hints(pred, target))


def _batch_of_one(rng):
    d = int(rng.integers(2, 6))
    return rng.normal(size=(1, d)) * 1e3, rng.normal(size=(1, d)) * 1e3


@pytest.mark.task("l1_mse")
def test_mse_value_batch_of_one_large(submission, rng):
    """mse_loss value: a batch of one, values of magnitude 1e3."""
    pred, target = _batch_of_one(rng)
    loss, _ = torch_loss_and_grad(F.mse_loss, pred, target)
    check_value(submission, "mse_loss", (pred, target), loss, tolerances(np.float64), hints={"mse_with_one_half": 0.5 * loss})


@pytest.mark.task("l1_mse")
def test_mse_gradient_batch_of_one_large(submission, rng):
    """mse_loss gradient: a batch of one (1, D), D >= 2, so len(pred) != pred.size; values of magnitude 1e3."""
    pred, target = _batch_of_one(rng)
    loss, grad = torch_loss_and_grad(F.mse_loss, pred, target)
    check_gradient(submission, "mse_loss", (pred, target), loss, grad, tolerances(np.float64), "dpred",
                   hints=_mse_gradient_hints(pred, target))


# ---------------------------------------------------------------- smooth l1


def _smooth_inputs(rng, shape, beta, dtype=np.float64):
    """Differences on both sides of beta, kept away from |d| == beta."""
    magnitude = rng.uniform(0.05, 3.0, size=shape) * beta
    magnitude = np.where(np.abs(magnitude - beta) < 0.05 * beta, magnitude + 0.2 * beta, magnitude)
    diff = magnitude * rng.choice([-1.0, 1.0], size=shape)
    target = rng.normal(size=shape)
    return (target + diff).astype(dtype), target.astype(dtype)


def _smooth_l1(beta):
    return lambda x, t: F.smooth_l1_loss(x, t, beta=beta)


def _smooth_hints(pred, target, beta):
    d = np.asarray(pred, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    small = np.abs(d) < beta
    loss = np.mean(np.where(small, 0.5 * d**2 / beta, np.abs(d) - 0.5 * beta))
    return ({"smooth_l1_linear_branch_without_beta": np.mean(np.where(small, 0.5 * d**2 / beta, np.abs(d) - 0.5)),
             "smooth_l1_as_huber": beta * loss},
            {"smooth_l1_gradient_without_beta": np.where(small, d, np.sign(d)) / d.size})


SMOOTH_CASES = [pytest.param(None, id="default-beta"), pytest.param((0.1, 0.6), id="small-beta"), pytest.param((1.5, 4.0), id="large-beta")]


def _smooth_case(rng, beta_range):
    beta = 1.0 if beta_range is None else float(rng.uniform(*beta_range))
    pred, target = _smooth_inputs(rng, (int(rng.integers(2, 30)), int(rng.integers(1, 6))), beta)
    return pred, target, beta, ({} if beta_range is None else {"beta": beta})


@pytest.mark.task("smooth_l1")
@pytest.mark.parametrize("beta_range", SMOOTH_CASES)
def test_smooth_l1_value(submission, rng, beta_range):
    """smooth_l1_loss value, with beta omitted (1) or given, differences on both sides of beta."""
    pred, target, beta, kwargs = _smooth_case(rng, beta_range)
    loss, _ = torch_loss_and_grad(_smooth_l1(beta), pred, target)
    check_value(submission, "smooth_l1_loss", (pred, target), loss, tolerances(np.float64), hints=_smooth_hints(pred, target, beta)[0],
                **kwargs)


@pytest.mark.task("smooth_l1")
@pytest.mark.parametrize("beta_range", SMOOTH_CASES)
def test_smooth_l1_gradient(submission, rng, beta_range):
    """smooth_l1_loss gradient, with beta omitted (1) or given."""
    pred, target, beta, kwargs = _smooth_case(rng, beta_range)
    loss, grad = torch_loss_and_grad(_smooth_l1(beta), pred, target)
    check_gradient(submission, "smooth_l1_loss", (pred, target), loss, grad, tolerances(np.float64), "dpred",
                   hints=_smooth_hints(pred, target, beta)[1], **kwargs)


def _float32_case(rng):
    pred, target = _smooth_inputs(rng, (int(rng.integers(2, 30)), 3), 0.5, np.float32)
    return pred, target, torch_loss_and_grad(_smooth_l1(0.5), pred, target)


@pytest.mark.task("smooth_l1")
def test_smooth_l1_value_float32(submission, rng):
    """smooth_l1_loss value on float32 inputs, beta = 0.5 passed positionally."""
    pred, target, (loss, _) = _float32_case(rng)
    check_value(submission, "smooth_l1_loss", (pred, target, 0.5), loss, tolerances(np.float32))


@pytest.mark.task("smooth_l1")
def test_smooth_l1_gradient_float32(submission, rng):
    """smooth_l1_loss gradient on float32 inputs, beta = 0.5 passed positionally."""
    pred, target, (loss, grad) = _float32_case(rng)
    check_gradient(submission, "smooth_l1_loss", (pred, target, 0.5), loss, grad, tolerances(np.float32), "dpred")
