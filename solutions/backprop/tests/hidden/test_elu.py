"""Hidden tests: ELU against torch autograd; the backward through check_backward.

API.md fixes the gradient at exactly 0 to ``alpha`` (as torch); the kink test looks at
those entries only, with ``alpha`` away from 1. Other tests keep inputs away from 0.
"""

import numpy as np
import pytest
from helpers import forward_pair, no_zeros, nonzero_dout, random_shape, torch_elu, with_exact_zeros

from autograder.testing import assert_close, assert_close_at, check_backward, float32_tolerances
from autograder.testing.torch_oracles import torch_forward_backward

pytestmark = pytest.mark.task("elu")


def _alpha(rng):
    """An alpha clearly away from 1, so a missing alpha always shows."""
    return float(rng.uniform(0.3, 0.7) if rng.random() < 0.5 else rng.uniform(1.5, 2.5))


def _forward_hints(x, alpha):
    x = np.asarray(x, dtype=np.float64)
    return {"elu_forgot_minus_one": np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0))),
            "elu_forward_ignores_alpha": np.where(x > 0, x, np.expm1(np.minimum(x, 0)))}


def _backward(submission, x, dout, alpha, args, **tolerances):
    out, (dx,) = torch_forward_backward(torch_elu, (x, alpha), dout)
    x64, dout64 = np.asarray(x, dtype=np.float64), np.asarray(dout, dtype=np.float64)
    hints = {"elu_backward_used_out": np.where(x64 > 0, dout64, dout64 * out),
             "elu_backward_no_alpha": np.where(x64 > 0, dout64, dout64 * np.exp(np.minimum(x64, 0)))}
    check_backward(submission, "elu_forward", "elu_backward", args, dout, wrt=(0,), expected_out=out, expected_grads=(dx,),
                   names=("dx",), forward_task="elu", hints={"dx": hints}, **tolerances)


def test_elu_forward_default_alpha(submission, rng):
    """elu_forward with alpha omitted: the default 1.0."""
    x = no_zeros(rng.standard_normal((int(rng.integers(3, 9)), int(rng.integers(3, 9)))) * 3)
    out, _ = torch_forward_backward(torch_elu, (x, 1.0))
    actual, _ = forward_pair(submission.elu_forward(x.copy()), "elu_forward")
    assert_close(actual, out, name="out", hints={"elu_forgot_minus_one": _forward_hints(x, 1.0)["elu_forgot_minus_one"]})


def test_elu_forward_alpha(submission, rng):
    """elu_forward with alpha != 1 (positional), on a 2-4-D array."""
    alpha = _alpha(rng)
    x = no_zeros(rng.standard_normal(random_shape(rng)) * 3)
    out, _ = torch_forward_backward(torch_elu, (x, alpha))
    actual, _ = forward_pair(submission.elu_forward(x.copy(), alpha), "elu_forward")
    assert_close(actual, out, name="out", hints=_forward_hints(x, alpha))


def test_elu_forward_alpha_keyword(submission, rng):
    """elu_forward with alpha passed by keyword."""
    alpha = _alpha(rng)
    x = no_zeros(rng.standard_normal((int(rng.integers(3, 9)), int(rng.integers(3, 9)))) * 3)
    out, _ = torch_forward_backward(torch_elu, (x, alpha))
    actual, _ = forward_pair(submission.elu_forward(x.copy(), alpha=alpha), "elu_forward")
    assert_close(actual, out, name="out (alpha passed by keyword)")


def test_elu_forward_large_magnitudes(submission, rng):
    """elu_forward for |x| up to 1e3: finite outputs."""
    x = np.concatenate([np.array([-1000.0, -750.0, 750.0, 1000.0]), rng.uniform(-1000, 1000, size=28)]).reshape(4, 8)
    alpha = _alpha(rng)
    out, _ = torch_forward_backward(torch_elu, (x, alpha))
    actual, _ = forward_pair(submission.elu_forward(x.copy(), alpha), "elu_forward")
    assert_close(actual, out, name="out")


def test_elu_backward(submission, rng):
    """elu_backward with alpha != 1, on a 2-4-D array (no exact zeros)."""
    alpha = _alpha(rng)
    x = no_zeros(rng.standard_normal(random_shape(rng)) * 3)
    _backward(submission, x, nonzero_dout(rng, x.shape), alpha, (x, alpha))


def test_elu_backward_default_alpha(submission, rng):
    """elu_backward after a forward with the default alpha 1.0."""
    x = no_zeros(rng.standard_normal((int(rng.integers(3, 9)), int(rng.integers(3, 9)))) * 3)
    _backward(submission, x, nonzero_dout(rng, x.shape), 1.0, (x,))


def test_elu_backward_alpha_at_zero(submission, rng):
    """elu_backward: the gradient at exactly x == 0 is alpha (API.md, as torch)."""
    alpha = _alpha(rng)
    x = with_exact_zeros(rng, random_shape(rng))
    dout = nonzero_dout(rng, x.shape)
    _, (dx,) = torch_forward_backward(torch_elu, (x, alpha), dout)
    _, cache = forward_pair(submission.elu_forward(x.copy(), alpha), "elu_forward")
    assert_close_at(submission.elu_backward(dout.copy(), cache), dx, x == 0, name="dx where x == 0",
                    hints={"elu_gradient_one_at_zero": dout})


def test_elu_backward_large_magnitudes(submission, rng):
    """elu_backward for |x| up to 1e3: finite gradients."""
    x = np.concatenate([np.array([-1000.0, -750.0, 750.0, 1000.0]), rng.uniform(-1000, 1000, size=28)]).reshape(4, 8)
    alpha = _alpha(rng)
    _backward(submission, x, rng.standard_normal(x.shape), alpha, (x, alpha), atol=1e-12)


def test_elu_forward_float32(submission, rng):
    """elu_forward with float32 inputs, at float32 tolerances."""
    x = no_zeros(rng.standard_normal((10, 6)) * 3).astype(np.float32)
    out, _ = torch_forward_backward(torch_elu, (x, 0.7))
    actual, _ = forward_pair(submission.elu_forward(x.copy(), 0.7), "elu_forward")
    assert_close(actual, out, name="out", **float32_tolerances)


def test_elu_backward_float32(submission, rng):
    """elu_backward with float32 inputs, at float32 tolerances."""
    x = no_zeros(rng.standard_normal((10, 6)) * 3).astype(np.float32)
    _backward(submission, x, nonzero_dout(rng, x.shape).astype(np.float32), 0.7, (x, 0.7), **float32_tolerances)
