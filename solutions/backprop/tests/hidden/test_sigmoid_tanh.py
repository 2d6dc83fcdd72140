"""Hidden tests: sigmoid (stable for |x| up to 1e3, no overflow warnings) and tanh against torch autograd.

Forward and backward passes are tested apart; backward passes go through check_backward.
"""

import numpy as np
import pytest
from helpers import forward_pair, random_shape

from autograder.testing import assert_close, check_backward, float32_tolerances
from autograder.testing.lazy_torch import torch
from autograder.testing.torch_oracles import torch_forward_backward

pytestmark = pytest.mark.task("sigmoid_tanh")

FUNCTIONS = {"sigmoid": lambda t: torch.sigmoid(t), "tanh": lambda t: torch.tanh(t)}  # torch is imported on first use


def _naive_sigmoid(x):
    """exp(x) / (1 + exp(x)): inf / inf = nan where exp overflows."""
    with np.errstate(all="ignore"):
        e = np.exp(np.asarray(x, dtype=np.float64))
        return e / (1 + e)


def _extreme_inputs(rng, limit):
    """Values up to +-``limit`` (including the ends and the region where exp overflows), and moderate ones."""
    fixed = np.array([-745.0, -710.0, -700.0, -40.0, 40.0, 700.0, 710.0, 745.0])
    fixed = np.concatenate([[-limit, limit], fixed[np.abs(fixed) <= limit]])
    x = np.concatenate([fixed, rng.uniform(-limit, limit, size=52 - fixed.size - 20), rng.uniform(-30, 30, size=20)])
    rng.shuffle(x)
    return x.reshape(4, 13)


def _forward(submission, name, x, **tolerances):
    out, _ = torch_forward_backward(FUNCTIONS[name], (x,))
    actual, _ = forward_pair(getattr(submission, f"{name}_forward")(x.copy()), f"{name}_forward")
    hints = {"sigmoid_exp_overflow": _naive_sigmoid(x)} if name == "sigmoid" else {}
    assert_close(actual, out, name="out", hints=hints, **tolerances)


def _backward(submission, name, x, dout, **tolerances):
    out, (dx,) = torch_forward_backward(FUNCTIONS[name], (x,), dout)
    x64, dout64 = np.asarray(x, dtype=np.float64), np.asarray(dout, dtype=np.float64)
    if name == "sigmoid":
        hints = {"backward_without_dout": out * (1 - out), "sigmoid_backward_used_x": dout64 * x64 * (1 - x64)}
    else:
        hints = {"backward_without_dout": 1 - out**2, "tanh_backward_used_x": dout64 * (1 - x64**2)}
    check_backward(submission, f"{name}_forward", f"{name}_backward", (x,), dout, wrt=(0,), expected_out=out, expected_grads=(dx,),
                   names=("dx",), forward_task="sigmoid_tanh", hints={"dx": hints}, **tolerances)


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_forward(submission, rng, name):
    """sigmoid_forward / tanh_forward on moderate inputs, a 2-4-D array."""
    _forward(submission, name, rng.standard_normal(random_shape(rng)) * 4)


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_backward(submission, rng, name):
    """sigmoid_backward / tanh_backward on moderate inputs, a 2-4-D array."""
    x = rng.standard_normal(random_shape(rng)) * 3
    _backward(submission, name, x, rng.standard_normal(x.shape))


def test_sigmoid_forward_extreme_inputs(submission, rng):
    """sigmoid_forward for |x| up to 1e3: finite, exact 0/1 at the extremes, tiny values right."""
    _forward(submission, "sigmoid", _extreme_inputs(rng, 1000.0), rtol=1e-7, atol=1e-15)


def test_sigmoid_backward_large_inputs(submission, rng):
    """sigmoid_backward for |x| up to 700 (where exp(-x) is still finite), tiny gradients right."""
    x = _extreme_inputs(rng, 700.0)
    _backward(submission, "sigmoid", x, rng.standard_normal(x.shape), rtol=1e-7, atol=1e-15)


def _overflow_warnings(submission):
    return [w for w in submission.last_warnings if "overflow" in w or "RuntimeWarning" in w]


def test_sigmoid_forward_raises_no_overflow_warnings(submission, rng):
    """sigmoid_forward for |x| up to 1e3 raises no overflow warnings (API.md: stable, no warnings)."""
    x = np.concatenate([rng.uniform(-1000, -710, size=8), rng.uniform(710, 1000, size=8), rng.standard_normal(8)])
    submission.sigmoid_forward(x.copy())
    warned = _overflow_warnings(submission)
    assert not warned, (f"sigmoid_forward raised {warned[0]!r}: exp(-x) overflows for very negative x; "
                        "compute exp of a non-positive number only (split x >= 0 and x < 0)")


def test_sigmoid_backward_raises_no_overflow_warnings(submission, rng):
    """sigmoid_backward for |x| up to 1e3 raises no overflow warnings (only the backward call is looked at)."""
    x = np.concatenate([rng.uniform(-1000, -710, size=8), rng.uniform(710, 1000, size=8), rng.standard_normal(8)])
    _, cache = forward_pair(submission.sigmoid_forward(x.copy()), "sigmoid_forward")
    submission.sigmoid_backward(rng.standard_normal(x.shape), cache)
    warned = _overflow_warnings(submission)
    assert not warned, (f"sigmoid_backward raised {warned[0]!r}: if it recomputes sigmoid(x), it must use the same stable "
                        "formula as the forward pass (or reuse the forward's output from the cache)")


def test_tanh_forward_saturated(submission, rng):
    """tanh_forward with saturated inputs (|x| up to 50)."""
    x = np.concatenate([rng.standard_normal(30) * 2, rng.uniform(-50, 50, size=10)]).reshape(5, 8)
    _forward(submission, "tanh", x, rtol=1e-7, atol=1e-12)


def test_tanh_backward_saturated(submission, rng):
    """tanh_backward with saturated inputs (|x| up to 50)."""
    x = np.concatenate([rng.standard_normal(30) * 2, rng.uniform(-50, 50, size=10)]).reshape(5, 8)
    _backward(submission, "tanh", x, rng.standard_normal(x.shape), rtol=1e-7, atol=1e-12)


def _float32_inputs(rng, limit):
    return np.concatenate([rng.standard_normal(40) * 3, rng.uniform(-limit, limit, size=8)]).astype(np.float32).reshape(6, 8)


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_forward_float32(submission, rng, name):
    """sigmoid_forward / tanh_forward with float32 inputs (up to |x| = 200, where float32 exp overflows), at float32 tolerances."""
    _forward(submission, name, _float32_inputs(rng, 200.0), **float32_tolerances)


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_backward_float32(submission, rng, name):
    """sigmoid_backward / tanh_backward with float32 inputs (up to |x| = 80, where float32 exp is still finite, so the
    forward's stability is not tested twice), at float32 tolerances."""
    x = _float32_inputs(rng, 80.0)
    _backward(submission, name, x, rng.standard_normal(x.shape).astype(np.float32), **float32_tolerances)
