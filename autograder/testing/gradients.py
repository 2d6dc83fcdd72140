"""Gradient checks: harness-side numeric gradients, and backward passes graded so one bug costs once.

A backward pass is tested through its own forward pass (the cache comes from the
student's forward). When that forward is wrong, comparing the backward with the
reference gradients would charge the forward's bug twice. :func:`check_backward`
therefore grades a backward against the reference gradients when the forward is
right, and otherwise against the gradient of the student's OWN forward: central
differences of the forward (called in the worker, like any call) along a few
random directions, computed and compared in the harness. A backward that is the
correct gradient of either passes (with a note naming the forward's task); one
that is wrong for both fails.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from autograder.errors import GraderError
from autograder.testing.compare import ComparisonFailure, assert_close
from autograder.testing.notes import note

__all__ = ["check_backward", "directional_derivative_mismatch", "numeric_gradient"]

DIRECTIONS = 3  # random directions per input in the own-forward check


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


def _fresh(args: Sequence) -> list:
    """Copies of a call's arguments (arrays and parameter dicts), so every call starts alike."""
    return [np.array(a, copy=True) if isinstance(a, np.ndarray) else copy.deepcopy(a) for a in args]


def _first_output(result, forward: str) -> np.ndarray:
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise AssertionError(f"{forward} must return a pair (out, cache)")
    return result[0]


def _given_draw(expected, out, forward: str):
    """``expected``, or ``expected(out)`` when it is a function of the student's forward output.

    A random layer (dropout) has no single right output: the right answer depends on the mask
    the student's forward drew, which only its output shows.
    """
    if not callable(expected):
        return expected
    if not isinstance(out, (np.ndarray, np.generic, numbers.Number)) or isinstance(out, bool):
        got = "None (a function that ends without `return` returns None)" if out is None else f"a value of type {type(out).__name__}"
        raise ComparisonFailure(f"out of {forward}: must be a NumPy array, got {got}")
    return expected(np.array(out, dtype=np.float64))


def directional_derivative_mismatch(loss: Callable[[list], float], args: Sequence, wrt: Sequence[int], grads: Sequence[np.ndarray],
                                    *, seed: int, relative_tolerance: float) -> str | None:
    """Check ``grads[k]`` is the gradient of ``loss`` at ``args`` w.r.t. argument ``wrt[k]``, along random directions.

    ``loss(args) -> float``; ``grads[k]`` has the shape of ``args[wrt[k]]``. For each input
    and each of :data:`DIRECTIONS` random directions ``v`` (scaled like the input), the central
    difference ``(loss(x + h v) - loss(x - h v)) / 2h`` must equal ``<grad, v>`` within
    ``relative_tolerance`` of ``|grad| |v|`` (plus the differences' rounding error).
    Returns None when every check holds, else which input failed.
    """
    directions = np.random.default_rng(seed)
    for position, index in enumerate(wrt):
        point = np.asarray(args[index], dtype=np.float64)
        grad = np.asarray(grads[position], dtype=np.float64)
        if grad.shape != point.shape:
            return f"argument {index}: gradient of shape {grad.shape} for an input of shape {point.shape}"
        scale = float(np.sqrt(np.mean(point ** 2))) if point.size else 0.0
        scale = scale if scale > 1e-8 else 1.0
        for _ in range(DIRECTIONS):
            v = directions.standard_normal(point.shape) * scale
            h = 1e-6
            shifted = []
            for sign in (1.0, -1.0):
                trial = list(args)
                trial[index] = point + sign * h * v
                shifted.append(loss(trial))
            numeric = (shifted[0] - shifted[1]) / (2 * h)
            analytic = float(np.sum(grad * v))
            bound = float(np.linalg.norm(grad) * np.linalg.norm(v))
            rounding = 1e-9 * (abs(shifted[0]) + abs(shifted[1]) + 1.0) / h
            if not np.isfinite(numeric) or not np.isfinite(analytic) or abs(numeric - analytic) > relative_tolerance * max(bound, abs(numeric)) + rounding:
                return f"argument {index}"
    return None


def check_backward(submission, forward: str, backward: str, args: Sequence, dout: np.ndarray, *, wrt: Sequence[int],
                   expected_out, expected_grads: Sequence, names: Sequence[str], forward_task: str | None = None,
                   rtol: float = 1e-6, atol: float = 1e-8, out_rtol: float | None = None, out_atol: float | None = None,
                   hints: Mapping[str, Mapping[str, object]] | None = None) -> None:
    """Grade ``backward`` through ``forward``, charging a wrong forward only to the forward's own tests.

    Parameters
    ----------
    submission: the ``submission`` fixture.
    forward, backward: function names, e.g. ``"batchnorm_forward"``, ``"batchnorm_backward"``;
        ``forward(*args) -> (out, cache)``, ``backward(dout, cache) -> grads``.
    args: the forward's arguments (copied for every call; dicts such as ``bn_param`` too).
    dout: upstream gradient, shaped like ``out``.
    wrt: positions in ``args`` the backward returns gradients for, in its return order
        (``(0, 1, 2)`` for ``(dx, dgamma, dbeta)``); one position: the backward returns
        a single array.
    expected_out, expected_grads: the reference forward output and gradients (float64). For a random
        layer (dropout), whose right answer depends on what the student's forward drew, either may be a
        function of the student's forward output (float64) returning it, e.g.
        ``expected_out=lambda out: np.where(out != 0, x / (1 - p), 0.0)``.
    names: names of the gradients in messages (``("dx", "dgamma", "dbeta")``).
    forward_task: the task of ``forward``, named in the feedback when it is the one to fix.
    rtol, atol: tolerances of the gradients; ``out_rtol``/``out_atol`` of the forward output
        (default the same).
    hints: per gradient name, hints for :func:`assert_close` (a hint's value may also be a function of
        the student's forward output, like ``expected_grads``).
    """
    hints = hints or {}
    out_tolerances = {"rtol": rtol if out_rtol is None else out_rtol, "atol": atol if out_atol is None else out_atol}
    forward_function = getattr(submission, forward)
    try:
        result = forward_function(*_fresh(args))
    except (AssertionError, GraderError):
        raise
    except Exception as exc:  # noqa: BLE001 (the student's forward failed: nothing to run the backward on)
        raise AssertionError(f"cannot check {backward}: {forward} failed ({exc})") from None
    out = _first_output(result, forward)
    expected_out = _given_draw(expected_out, out, forward)
    expected_grads = _given_draw(expected_grads, out, forward)
    hints = {name: {key: _given_draw(value, out, forward) for key, value in by_name.items()} for name, by_name in hints.items()}
    try:
        assert_close(out, expected_out, name=f"out of {forward}", **out_tolerances)
        forward_right = True
    except AssertionError:
        forward_right = False
    grads = getattr(submission, backward)(np.array(dout, copy=True), result[1])
    if len(wrt) == 1 and not isinstance(grads, (tuple, list)):
        grads = (grads,)
    if not isinstance(grads, (tuple, list)) or len(grads) != len(wrt):
        raise AssertionError(f"{backward} must return {len(wrt)} gradient(s) ({', '.join(names)})"
                             + (" as a tuple" if len(wrt) > 1 else ""))
    try:
        for value, reference, name in zip(grads, expected_grads, names):
            assert_close(value, reference, name=name, rtol=rtol, atol=atol, hints=hints.get(name))
        return
    except ComparisonFailure as failure:
        if forward_right:
            raise
        reference_failure = failure

    # The forward is wrong: is the backward the gradient of the student's own forward?
    float_grads = []
    for value, name in zip(grads, names):
        try:
            float_grads.append(np.asarray(value, dtype=np.float64))
        except (TypeError, ValueError):
            raise reference_failure from None
    upstream = np.asarray(dout, dtype=np.float64)
    low_precision = any(np.asarray(args[i]).dtype == np.float32 for i in wrt)
    float64_args = [np.asarray(a, dtype=np.float64) if i in wrt else a for i, a in enumerate(args)]

    def loss(trial_args: list) -> float:
        output = _first_output(forward_function(*_fresh(trial_args)), forward)
        return float(np.sum(np.asarray(output, dtype=np.float64) * upstream))

    seed = int(np.frombuffer(upstream.tobytes()[:8].ljust(8, b"\0"), dtype=np.uint64)[0] % (2**32))
    try:
        mismatch = directional_derivative_mismatch(loss, float64_args, wrt, float_grads, seed=seed,
                                                   relative_tolerance=2e-3 if low_precision else 1e-5)
    except AssertionError:
        raise reference_failure from None
    except GraderError:
        raise
    except Exception:  # noqa: BLE001 (the forward fails on nearby inputs: no own gradient to compare with)
        raise reference_failure from None
    where = f"see {forward_task}" if forward_task else f"check {forward}"
    if mismatch is None:
        note(f"{backward} is the correct gradient of your {forward}; the forward is wrong: {where}")
        return
    raise ComparisonFailure(f"{reference_failure} (your {forward} is wrong too, {where}; and {backward} is not the gradient "
                            f"of your own {forward} either)", hint=reference_failure.hint)
