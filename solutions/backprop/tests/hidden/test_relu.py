"""Hidden tests: ReLU and Leaky ReLU against torch autograd; backward passes through check_backward.

API.md fixes the gradient at exactly 0: 0 for ReLU, ``negative_slope`` for Leaky ReLU (as
torch). The kink tests look at those entries only; every other test keeps inputs away from 0.
"""

import numpy as np
import pytest
from helpers import forward_pair, no_zeros, nonzero_dout, random_shape, with_exact_zeros

from autograder.testing import assert_close, assert_close_at, check_backward, float32_tolerances
from autograder.testing.lazy_torch import F
from autograder.testing.torch_oracles import torch_forward_backward

pytestmark = pytest.mark.task("relu")


def _relu_backward(submission, x, dout, **tolerances):
    out, (dx,) = torch_forward_backward(F.relu, (x,), dout)
    check_backward(submission, "relu_forward", "relu_backward", (x,), dout, wrt=(0,), expected_out=out, expected_grads=(dx,),
                   names=("dx",), forward_task="relu", **tolerances,
                   hints={"dx": {"backward_without_dout": (x > 0) * 1.0, "relu_gated_on_dout": dout * (dout > 0)}})


def _leaky_backward(submission, x, dout, slope, **tolerances):
    out, (dx,) = torch_forward_backward(F.leaky_relu, (x, slope), dout)
    check_backward(submission, "leaky_relu_forward", "leaky_relu_backward", (x, slope), dout, wrt=(0,), expected_out=out,
                   expected_grads=(dx,), names=("dx",), forward_task="relu", **tolerances,
                   hints={"dx": {"backward_without_dout": np.where(x > 0, 1.0, slope)}})


# --------------------------------------------------------------------------- ReLU


def test_relu_forward(submission, rng):
    """relu_forward on a 2-4-D array."""
    x = no_zeros(rng.standard_normal(random_shape(rng)) * 2)
    out, _ = torch_forward_backward(F.relu, (x,))
    actual, _ = forward_pair(submission.relu_forward(x.copy()), "relu_forward")
    assert_close(actual, out, name="out")


def test_relu_forward_large_magnitudes(submission, rng):
    """relu_forward with inputs spanning many orders of magnitude."""
    x = no_zeros(rng.standard_normal((9, 13)) * 10.0 ** rng.integers(-3, 4, size=(9, 13)), margin=1e-4)
    out, _ = torch_forward_backward(F.relu, (x,))
    actual, _ = forward_pair(submission.relu_forward(x.copy()), "relu_forward")
    assert_close(actual, out, name="out")


def test_relu_backward(submission, rng):
    """relu_backward on a 2-4-D array (no exact zeros)."""
    x = no_zeros(rng.standard_normal(random_shape(rng)) * 2)
    _relu_backward(submission, x, nonzero_dout(rng, x.shape))


def test_relu_backward_large_magnitudes(submission, rng):
    """relu_backward with inputs spanning many orders of magnitude."""
    x = no_zeros(rng.standard_normal((9, 13)) * 10.0 ** rng.integers(-3, 4, size=(9, 13)), margin=1e-4)
    _relu_backward(submission, x, nonzero_dout(rng, x.shape))


def test_relu_backward_is_zero_at_zero(submission, rng):
    """relu_backward: the gradient at exactly x == 0 is 0 (API.md)."""
    x = with_exact_zeros(rng, random_shape(rng))
    dout = nonzero_dout(rng, x.shape)
    _, (dx,) = torch_forward_backward(F.relu, (x,), dout)
    _, cache = forward_pair(submission.relu_forward(x.copy()), "relu_forward")
    assert_close_at(submission.relu_backward(dout.copy(), cache), dx, x == 0, name="dx where x == 0",
                    hints={"relu_gradient_one_at_zero": dout})


def test_relu_forward_float32(submission, rng):
    """relu_forward with float32 inputs, at float32 tolerances."""
    x = no_zeros(rng.standard_normal((12, 7)) * 3).astype(np.float32)
    out, _ = torch_forward_backward(F.relu, (x,))
    actual, _ = forward_pair(submission.relu_forward(x.copy()), "relu_forward")
    assert_close(actual, out, name="out", **float32_tolerances)


def test_relu_backward_float32(submission, rng):
    """relu_backward with float32 inputs, at float32 tolerances."""
    x = no_zeros(rng.standard_normal((12, 7)) * 3).astype(np.float32)
    _relu_backward(submission, x, nonzero_dout(rng, x.shape).astype(np.float32), **float32_tolerances)


# --------------------------------------------------------------------------- Leaky ReLU


def test_leaky_relu_forward_default_slope(submission, rng):
    """leaky_relu_forward with negative_slope omitted: the default 0.01."""
    x = no_zeros(rng.standard_normal((int(rng.integers(3, 9)), int(rng.integers(3, 9)))) * 3)
    out, _ = torch_forward_backward(F.leaky_relu, (x, 0.01))
    actual, _ = forward_pair(submission.leaky_relu_forward(x.copy()), "leaky_relu_forward")
    assert_close(actual, out, name="out", hints={"leaky_default_slope_tensorflow": np.where(x > 0, x, 0.2 * x)})


def test_leaky_relu_forward_slope(submission, rng):
    """leaky_relu_forward with a random negative_slope (positional), on a 2-4-D array."""
    slope = float(rng.uniform(0.05, 0.5))
    x = no_zeros(rng.standard_normal(random_shape(rng)) * 3)
    out, _ = torch_forward_backward(F.leaky_relu, (x, slope))
    actual, _ = forward_pair(submission.leaky_relu_forward(x.copy(), slope), "leaky_relu_forward")
    assert_close(actual, out, name="out", hints={"leaky_slope_ignored": np.where(x > 0, x, 0.01 * x)})


def test_leaky_relu_forward_slope_keyword(submission, rng):
    """leaky_relu_forward with negative_slope passed by keyword."""
    slope = float(rng.uniform(0.05, 0.5))
    x = no_zeros(rng.standard_normal((int(rng.integers(3, 9)), int(rng.integers(3, 9)))) * 3)
    out, _ = torch_forward_backward(F.leaky_relu, (x, slope))
    actual, _ = forward_pair(submission.leaky_relu_forward(x.copy(), negative_slope=slope), "leaky_relu_forward")
    assert_close(actual, out, name="out (negative_slope passed by keyword)")


def test_leaky_relu_backward(submission, rng):
    """leaky_relu_backward with a random negative_slope, on a 2-4-D array (no exact zeros)."""
    slope = float(rng.uniform(0.05, 0.5))
    x = no_zeros(rng.standard_normal(random_shape(rng)) * 3)
    _leaky_backward(submission, x, nonzero_dout(rng, x.shape), slope)


def test_leaky_relu_backward_default_slope(submission, rng):
    """leaky_relu_backward after a forward with the default slope 0.01."""
    x = no_zeros(rng.standard_normal((int(rng.integers(3, 9)), int(rng.integers(3, 9)))) * 3)
    dout = nonzero_dout(rng, x.shape)
    out, (dx,) = torch_forward_backward(F.leaky_relu, (x, 0.01), dout)
    check_backward(submission, "leaky_relu_forward", "leaky_relu_backward", (x,), dout, wrt=(0,), expected_out=out,
                   expected_grads=(dx,), names=("dx",), forward_task="relu",
                   hints={"dx": {"backward_without_dout": np.where(x > 0, 1.0, 0.01)}})


def test_leaky_relu_backward_slope_at_zero(submission, rng):
    """leaky_relu_backward: the gradient at exactly x == 0 is negative_slope (API.md, as torch)."""
    slope = float(rng.uniform(0.05, 0.5))
    x = with_exact_zeros(rng, random_shape(rng))
    dout = nonzero_dout(rng, x.shape)
    _, (dx,) = torch_forward_backward(F.leaky_relu, (x, slope), dout)
    _, cache = forward_pair(submission.leaky_relu_forward(x.copy(), slope), "leaky_relu_forward")
    assert_close_at(submission.leaky_relu_backward(dout.copy(), cache), dx, x == 0, name="dx where x == 0",
                    hints={"leaky_gradient_one_at_zero": dout})


def test_leaky_relu_forward_float32(submission, rng):
    """leaky_relu_forward with float32 inputs, at float32 tolerances."""
    x = no_zeros(rng.standard_normal((12, 7)) * 3).astype(np.float32)
    out, _ = torch_forward_backward(F.leaky_relu, (x, 0.1))
    actual, _ = forward_pair(submission.leaky_relu_forward(x.copy(), 0.1), "leaky_relu_forward")
    assert_close(actual, out, name="out", **float32_tolerances)


def test_leaky_relu_backward_float32(submission, rng):
    """leaky_relu_backward with float32 inputs, at float32 tolerances."""
    x = no_zeros(rng.standard_normal((12, 7)) * 3).astype(np.float32)
    _leaky_backward(submission, x, nonzero_dout(rng, x.shape).astype(np.float32), 0.1, **float32_tolerances)
