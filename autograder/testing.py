"""Helpers for test authors: comparisons with messages that teach.

Every helper runs in the trusted harness. ``actual`` values come from student
code (through the worker, or directly in a local ``check``); ``expected`` values
are computed by the test itself. Messages describe *what* is wrong (shape,
dtype, where the largest error is, a known mistake it looks like) without
printing hidden inputs.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping

import numpy as np

from autograder.harness.closures import closure_over
from autograder.protocol import Handle

__all__ = [
    "assert_close",
    "assert_scalar_close",
    "best_time",
    "closure_over",
    "float32_tolerances",
    "numeric_gradient",
    "rel_error",
    "to_numpy",
]

# Tolerances API.md promises for float32 inputs.
float32_tolerances = {"rtol": 1e-4, "atol": 1e-5}


def to_numpy(value) -> np.ndarray:
    """A torch tensor or array-like from the *harness* side -> float64 ndarray copy."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.array(value, dtype=np.float64, copy=True)


def rel_error(actual, expected) -> float:
    """CS231n's relative error ``max |a - e| / max(1e-8, |a| + |e|)``."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    return float(np.max(np.abs(actual - expected) / np.maximum(1e-8, np.abs(actual) + np.abs(expected))))


def _describe(value) -> str:
    if isinstance(value, Handle):
        return f"an opaque object of type {value.type_name}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"a value of type {type(value).__name__}"


def _shape_hint(actual_shape: tuple, expected_shape: tuple) -> str:
    """Guess the usual mistake behind a shape mismatch."""
    if actual_shape == expected_shape[::-1] and len(expected_shape) > 1:
        return " (transposed?)"
    if len(actual_shape) == len(expected_shape) - 1:
        for axis in range(len(expected_shape)):
            if expected_shape[:axis] + expected_shape[axis + 1:] == actual_shape:
                return f" (did you sum or average over axis {axis} where you should not have, or forget keepdims?)"
    if len(actual_shape) == len(expected_shape) + 1:
        for axis in range(len(actual_shape)):
            if actual_shape[:axis] + actual_shape[axis + 1:] == expected_shape:
                return f" (did you forget to sum over axis {axis}, e.g. the batch axis?)"
    if len(actual_shape) == len(expected_shape) and np.prod(actual_shape) == np.prod(expected_shape):
        return " (same number of elements: a reshape in the wrong order?)"
    return ""


def _as_float_array(actual, name: str) -> np.ndarray:
    if isinstance(actual, (np.ndarray, np.generic)):
        array = np.asarray(actual)
    elif isinstance(actual, numbers.Number) and not isinstance(actual, bool):
        array = np.asarray(actual)
    else:
        raise AssertionError(f"{name}: expected a NumPy array, got {_describe(actual)}")
    if array.dtype.kind not in "fiu":
        raise AssertionError(f"{name}: expected a numeric array, got dtype {array.dtype}")
    return array


def assert_close(
    actual,
    expected,
    *,
    name: str = "output",
    rtol: float = 1e-6,
    atol: float = 1e-8,
    hints: Mapping[str, object] | None = None,
    check_dtype: bool = False,
) -> None:
    """Assert ``actual`` matches ``expected`` elementwise, with a message that teaches.

    Parameters
    ----------
    actual: the student's value (ndarray or number).
    expected: the reference (ndarray, number or torch tensor), computed by the test.
    name: what the value is called in messages (``"dx"``, ``"running_var"``).
    rtol, atol: ``|a - e| <= atol + rtol * |e|`` elementwise.
    hints: ``{"description of a known mistake": value_that_mistake_gives}``; when
        ``actual`` matches one of them, the message says "it looks like you ...".
    check_dtype: also require ``actual.dtype == expected.dtype``.
    """
    expected_array = np.asarray(expected.detach().cpu().numpy() if hasattr(expected, "detach") else expected)
    actual_array = _as_float_array(actual, name)
    if actual_array.shape != expected_array.shape:
        raise AssertionError(
            f"{name}: shape {actual_array.shape}, expected {expected_array.shape}"
            + _shape_hint(actual_array.shape, expected_array.shape)
        )
    if check_dtype and actual_array.dtype != expected_array.dtype:
        raise AssertionError(f"{name}: dtype {actual_array.dtype}, expected {expected_array.dtype}")
    a = actual_array.astype(np.float64)
    e = expected_array.astype(np.float64)
    finite_expected = np.isfinite(e)
    bad_nonfinite = ~np.isfinite(a) & finite_expected
    if bad_nonfinite.any():
        index = tuple(int(i) for i in np.argwhere(bad_nonfinite)[0])
        count = int(bad_nonfinite.sum())
        raise AssertionError(
            f"{name}: {count} non-finite value(s) (nan/inf) where a finite value was expected, first at index {index}"
            " (numerical overflow? subtract the max before exp, or use a stable formula)"
        )
    with np.errstate(invalid="ignore"):
        close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return
    difference = np.where(finite_expected, np.abs(a - e), np.inf)
    difference = np.nan_to_num(difference, nan=np.inf)
    worst = np.unravel_index(int(np.argmax(difference)), difference.shape) if difference.ndim else ()
    worst = tuple(int(i) for i in worst)
    max_abs = float(np.max(difference))
    max_rel = float(np.max(difference / np.maximum(np.abs(e), 1e-12)))
    mismatched = int((~close).sum())
    message = (
        f"{name}: {mismatched} of {close.size} values differ; max abs error {max_abs:.3g}"
        f" (max rel error {max_rel:.3g}) at index {worst}; tolerance rtol={rtol:g}, atol={atol:g}"
    )
    for description, wrong_value in (hints or {}).items():
        wrong = np.asarray(wrong_value.detach().cpu().numpy() if hasattr(wrong_value, "detach") else wrong_value)
        if wrong.shape != a.shape or wrong.dtype.kind not in "fiub":
            continue
        wrong = wrong.astype(np.float64)
        if np.allclose(wrong, e, rtol=rtol, atol=atol, equal_nan=True):
            continue  # this mistake gives the right answer here: it cannot explain a wrong one
        # A little looser than the test (a float32 result may match a float64 hint), scaled to the values.
        hint_atol = max(atol, 1e-6 * float(np.max(np.abs(wrong), initial=0.0, where=np.isfinite(wrong))))
        if np.allclose(a, wrong, rtol=max(rtol, 1e-5), atol=hint_atol):
            message += f". It looks like you {description}."
            break
    else:
        if np.allclose(a, -e, rtol=rtol, atol=atol) and np.abs(e).max() > 0:
            message += ". The sign is flipped."
        elif e.size > 1 and np.allclose(a * e.size, e, rtol=1e-5, atol=atol) or (
            e.ndim >= 1 and e.shape[0] > 1 and np.allclose(a * e.shape[0], e, rtol=1e-5, atol=atol)
        ):
            message += ". Off by a constant factor: an extra division by the batch size?"
        elif e.ndim >= 1 and e.shape[0] > 1 and np.allclose(a, e * e.shape[0], rtol=1e-5, atol=atol):
            message += ". Off by a factor of N: a missing division by the batch size?"
    raise AssertionError(message)


def assert_scalar_close(actual, expected, *, name: str = "value", rtol: float = 1e-6, atol: float = 1e-8, hints=None) -> None:
    """Like :func:`assert_close` for a scalar; also rejects arrays with more than one element."""
    array = _as_float_array(actual, name)
    if array.size != 1:
        raise AssertionError(f"{name}: expected a scalar, got an array of shape {array.shape}")
    assert_close(array.reshape(()), np.asarray(expected, dtype=np.float64).reshape(()), name=name, rtol=rtol, atol=atol, hints=hints)


def numeric_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, dout: np.ndarray | None = None, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of ``sum(f(x) * dout)`` with respect to ``x`` (harness-side reference).

    ``x``: float64 array of any shape; ``f`` returns a scalar or an array (then ``dout``
    of the same shape weights it). ``x`` is left unchanged. Returns an array shaped like ``x``.
    """
    x = np.array(x, dtype=np.float64, copy=True)
    grad = np.zeros_like(x)
    flat = x.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        plus = np.asarray(f(x), dtype=np.float64)
        flat[i] = old - h
        minus = np.asarray(f(x), dtype=np.float64)
        flat[i] = old
        weights = 1.0 if dout is None else dout
        grad.reshape(-1)[i] = np.sum((plus - minus) * weights) / (2 * h)
    return grad


def best_time(function: Callable, *args, repeat: int = 5, **kwargs) -> float:
    """Best wall time in seconds of ``function(*args, **kwargs)`` over ``repeat`` runs (harness side)."""
    import time

    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best
