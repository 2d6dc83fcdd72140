"""Helpers of the losses hidden tests: how a loss is called and graded (harness side only).

Every loss returns ``(loss, dinput)`` in one call. The tests grade the value and the
gradient in separate tests: :func:`check_value` looks at the value only, and
:func:`check_gradient` at the gradient only, accepting the gradient of the student's
own loss when that loss value is wrong (``check_loss_gradient``), so one mistake
costs once. Reference values come from torch (``torch_loss_and_grad``, memoised).
"""

import numpy as np

from autograder.testing import assert_scalar_close, check_loss_gradient, float32_tolerances


def tolerances(dtype):
    """API.md's tolerances: float64 ``rtol=1e-6, atol=1e-8``; float32 the float32 ones."""
    if np.dtype(dtype) == np.float32:
        return dict(float32_tolerances)
    return {"rtol": 1e-6, "atol": 1e-8}


def split_result(result, function, n_grads=1):
    """``(loss, grads)`` of a loss's return value ``(loss, g1, ..., gk)``, checked for form."""
    if not isinstance(result, (tuple, list)) or len(result) != 1 + n_grads:
        what = "a tuple (loss, dinput)" if n_grads == 1 else f"a tuple of the loss and {n_grads} gradients"
        if result is None:
            got = "None (a function that ends without `return` returns None)"
        elif isinstance(result, (tuple, list)):
            got = f"a {type(result).__name__} of {len(result)} value(s)"
        else:
            got = f"a {type(result).__name__}"
        raise AssertionError(f"{function} must return {what}, got {got}")
    return result[0], tuple(result[1:])


def loss_call(submission, function, n_grads=1, **kwargs):
    """``call(*args) -> (loss, grads)``: the student's ``function`` called with ``args`` and fixed keyword arguments."""
    def call(*args):
        return split_result(getattr(submission, function)(*args, **kwargs), function, n_grads)
    return call


def _copies(args):
    return [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]


def check_value(submission, function, args, expected_loss, tol, hints=None, **kwargs):
    """The loss value of ``function(*args, **kwargs)`` (its gradient is not looked at)."""
    loss, _ = loss_call(submission, function, **kwargs)(*_copies(args))
    assert_scalar_close(loss, expected_loss, name="loss", hints=hints, **tol)


def check_gradient(submission, function, args, expected_loss, expected_grad, tol, grad_name, hints=None, **kwargs):
    """The gradient ``function(*args, **kwargs)`` returns with respect to its first argument.

    Passes when it is the reference gradient, or, when the loss value is wrong, the gradient of
    the student's own loss (with a note that the value is what to fix)."""
    check_loss_gradient(loss_call(submission, function, **kwargs), args, wrt=(0,), expected_loss=expected_loss,
                        expected_grads=(expected_grad,), names=(grad_name,), function=function,
                        value_tests=f"the loss value tests of {function}", hints={grad_name: hints or {}}, **tol)
