"""Comparisons with messages that state facts, and hints that are checked.

Every helper runs in the trusted harness. ``actual`` values come from student
code (through the worker, or directly in a local ``check``); ``expected`` values
are computed by the test itself. A failure message says *what* differs (shape,
dtype, how many values, the largest error and where, an exact sign flip or
constant factor) without printing hidden inputs. It names a *mistake* only
through a hint, and a hint is shown only when the student's value actually equals
the wrong answer that mistake gives (:mod:`autograder.testing.hints`).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from autograder.protocol import Handle
from autograder.testing.hints import describe_hint

__all__ = [
    "ComparisonFailure",
    "assert_close",
    "assert_close_at",
    "assert_scalar_close",
    "float32_tolerances",
    "rel_error",
    "to_numpy",
]

# Tolerances API.md promises for float32 inputs.
float32_tolerances = {"rtol": 1e-4, "atol": 1e-5}


class ComparisonFailure(AssertionError):
    """A value differs from the expected one. ``hint``: the id of the hint that matched, if any."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


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
    if value is None:
        return "None (a function that ends without `return` returns None)"
    if isinstance(value, Handle):
        return f"an opaque object of type {value.type_name}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} value(s)"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"a value of type {type(value).__name__}"


def _shape_fact(actual_shape: tuple, expected_shape: tuple) -> str:
    """What is true about a shape mismatch (never a guess about why)."""
    squeezed_actual = tuple(n for n in actual_shape if n != 1)
    squeezed_expected = tuple(n for n in expected_shape if n != 1)
    if squeezed_actual == squeezed_expected:
        if len(actual_shape) > len(expected_shape):
            return " (the same values with an extra axis of length 1)"
        if len(actual_shape) < len(expected_shape):
            return " (the same values without an axis of length 1)"
        return " (axes of length 1 in other places)"
    if len(expected_shape) == 2 and actual_shape == expected_shape[::-1]:
        return " (the transposed shape)"
    if len(actual_shape) == len(expected_shape) and sorted(actual_shape) == sorted(expected_shape):
        return " (the same axes in another order)"
    if int(np.prod(actual_shape)) == int(np.prod(expected_shape)):
        return " (the same number of values in another shape)"
    return ""


def _as_float_array(actual, name: str) -> np.ndarray:
    if isinstance(actual, (np.ndarray, np.generic)):
        array = np.asarray(actual)
    elif isinstance(actual, numbers.Number) and not isinstance(actual, bool):
        array = np.asarray(actual)
    else:
        raise ComparisonFailure(f"{name}: must be a NumPy array or a number, got {_describe(actual)}")
    if array.dtype.kind not in "fiu":
        raise ComparisonFailure(f"{name}: expected a numeric array, got dtype {array.dtype}")
    return array


def _as_expected(value) -> np.ndarray:
    return np.asarray(value.detach().cpu().numpy() if hasattr(value, "detach") else value)


def _constant_factor(a: np.ndarray, e: np.ndarray) -> float | None:
    """``k`` when ``a == k * e`` for every entry (with ``e`` not all zero), else None."""
    nonzero = np.abs(e) > 1e-12 * max(1.0, float(np.max(np.abs(e), initial=0.0)))
    if not nonzero.any():
        return None
    ratios = a[nonzero] / e[nonzero]
    k = float(np.median(ratios))
    if not np.isfinite(k) or k == 0 or abs(k - 1) < 1e-6:
        return None
    if np.allclose(a, k * e, rtol=1e-6, atol=1e-12 * max(1.0, float(np.max(np.abs(a), initial=0.0)))):
        return k
    return None


def _factor_fact(k: float, shape: tuple) -> str:
    if abs(k + 1) < 1e-9:
        return ". Your values are exactly the expected ones with the opposite sign"
    text = f". Your values are exactly {k:.6g} times the expected ones"
    for axis, size in enumerate(shape):
        if size > 1 and abs(k * size - 1) < 1e-6:
            return text + f" (1/{size}, one over the length of axis {axis})"
        if size > 1 and abs(k - size) < 1e-6 * size:
            return text + f" ({size}, the length of axis {axis})"
    return text


def _matching_hint(a: np.ndarray, e: np.ndarray, hints: Mapping[str, object], rtol: float, atol: float) -> tuple[str, str] | None:
    """``(hint_id, description)`` of the first hint whose wrong value ``a`` equals, if any."""
    for key, wrong_value in hints.items():
        try:
            wrong = _as_expected(wrong_value)
        except (TypeError, ValueError):
            continue
        if wrong.shape != a.shape or wrong.dtype.kind not in "fiub":
            continue
        wrong = wrong.astype(np.float64)
        # This mistake gives the right answer here: it cannot explain a wrong one. (An empty wrong value is
        # "close" to anything, but is never the answer: with an empty answer the comparison passed already.)
        if wrong.size and np.allclose(wrong, e, rtol=rtol, atol=atol, equal_nan=True):
            continue
        # A little looser than the test (a float32 result may match a float64 hint), scaled to the values.
        finite = np.isfinite(wrong)
        hint_atol = max(atol, 1e-6 * float(np.max(np.abs(wrong), initial=0.0, where=finite)))
        if np.allclose(a, wrong, rtol=max(rtol, 1e-5), atol=hint_atol, equal_nan=True):
            return describe_hint(key)
    return None


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
    hints: ``{hint: value_that_mistake_gives}``, ``hint`` being an id declared in the
        tests' ``hints.toml`` (or, in public tests, the description itself). When ``actual``
        equals one of the values (and that value is not the right answer here), the
        message says "It looks like you <description>." and the hint is recorded.
    check_dtype: also require ``actual.dtype == expected.dtype``.
    """
    expected_array = _as_expected(expected)
    actual_array = _as_float_array(actual, name)
    if actual_array.shape != expected_array.shape:
        message = f"{name}: shape {actual_array.shape}, expected {expected_array.shape}" + _shape_fact(actual_array.shape, expected_array.shape)
        # A convention of another course can show up as a shape (gamma as (1, C, 1, 1)): a hint of that shape may match.
        matched = _matching_hint(actual_array.astype(np.float64), np.full(actual_array.shape, np.nan), hints or {}, rtol, atol)
        if matched is not None:
            raise ComparisonFailure(message + f". It looks like you {matched[1]}.", hint=matched[0])
        raise ComparisonFailure(message)
    if check_dtype and actual_array.dtype != expected_array.dtype:
        raise ComparisonFailure(f"{name}: dtype {actual_array.dtype}, expected {expected_array.dtype}")
    a = actual_array.astype(np.float64)
    e = expected_array.astype(np.float64)
    finite_expected = np.isfinite(e)
    with np.errstate(invalid="ignore"):
        close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return
    matched = _matching_hint(a, e, hints or {}, rtol, atol)
    bad_nonfinite = ~np.isfinite(a) & finite_expected
    if bad_nonfinite.any():
        index = tuple(int(i) for i in np.argwhere(bad_nonfinite)[0])
        message = (f"{name}: {int(bad_nonfinite.sum())} non-finite value(s) (nan or inf) where finite values were expected, "
                   f"first at index {index}")
    else:
        difference = np.where(finite_expected, np.abs(a - e), np.inf)
        difference = np.nan_to_num(difference, nan=np.inf)
        worst = np.unravel_index(int(np.argmax(difference)), difference.shape) if difference.ndim else ()
        worst = tuple(int(i) for i in worst)
        max_abs = float(np.max(difference))
        max_rel = float(np.max(difference / np.maximum(np.abs(e), 1e-12)))
        message = (f"{name}: {int((~close).sum())} of {close.size} values differ; max abs error {max_abs:.3g}"
                   f" (max rel error {max_rel:.3g}) at index {worst}; tolerance rtol={rtol:g}, atol={atol:g}")
        if matched is None and np.all(finite_expected):
            factor = _constant_factor(a, e)
            if factor is not None:
                message += _factor_fact(factor, e.shape)
    if matched is not None:
        hint_id, description = matched
        raise ComparisonFailure(message + f". It looks like you {description}.", hint=hint_id)
    raise ComparisonFailure(message)


def assert_scalar_close(actual, expected, *, name: str = "value", rtol: float = 1e-6, atol: float = 1e-8, hints=None) -> None:
    """Like :func:`assert_close` for a scalar; also rejects arrays with more than one element."""
    array = _as_float_array(actual, name)
    if array.size != 1:
        raise ComparisonFailure(f"{name}: expected a scalar, got an array of shape {array.shape}")
    scalar_hints = {key: np.asarray(_as_expected(value), dtype=np.float64).reshape(()) for key, value in (hints or {}).items()
                    if np.size(_as_expected(value)) == 1}
    assert_close(array.reshape(()), np.asarray(_as_expected(expected), dtype=np.float64).reshape(()), name=name, rtol=rtol, atol=atol,
                 hints=scalar_hints)


def assert_close_at(actual, expected, where, *, name: str = "output", rtol: float = 1e-6, atol: float = 1e-8,
                    hints: Mapping[str, object] | None = None) -> None:
    """Like :func:`assert_close`, comparing only the entries where ``where`` is true.

    For a value the contract fixes at a kink (ReLU's gradient at exactly 0): the test of that
    value looks at those entries only, so a mistake elsewhere costs only the tests about it.
    ``actual`` must still have ``expected``'s shape; ``where`` is a boolean array of that shape,
    and hints are values shaped like ``expected``, compared at the same entries.
    """
    expected_array = _as_expected(expected)
    actual_array = _as_float_array(actual, name)
    if actual_array.shape != expected_array.shape:
        assert_close(actual_array, expected_array, name=name, rtol=rtol, atol=atol, hints=hints)  # states the mismatch
    mask = np.broadcast_to(np.asarray(where, dtype=bool), expected_array.shape)
    assert_close(actual_array[mask], expected_array[mask], name=name, rtol=rtol, atol=atol,
                 hints={key: _as_expected(value)[mask] for key, value in (hints or {}).items()
                        if np.shape(_as_expected(value)) == expected_array.shape})
