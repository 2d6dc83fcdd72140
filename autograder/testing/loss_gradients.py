"""Gradients returned together with a loss, graded so that a wrong loss value costs only its own tests.

A loss function returns its value and its gradient in one call (``loss, dpred =
l1_loss(pred, target)``). When the value is wrong (summed instead of averaged, a
weight on the wrong term) and the gradient is the exact gradient of that wrong
value, the student made one mistake, and the value's tests already charge it.
:func:`check_loss_gradient` therefore grades the gradient against the reference when
the value is right, and otherwise also accepts the gradient of the student's OWN
loss: central differences of the student's loss (called again, like any call)
along a few random directions, computed and compared in the harness, as
:func:`~autograder.testing.gradients.check_backward` does for a layer's backward pass.
Passing that way leaves a note that names the value as what to fix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from autograder.errors import GraderError
from autograder.testing.compare import ComparisonFailure, assert_close, assert_scalar_close
from autograder.testing.gradients import _fresh, directional_derivative_mismatch
from autograder.testing.notes import note

__all__ = ["check_loss_gradient"]


def check_loss_gradient(call: Callable[..., tuple], args: Sequence, *, wrt: Sequence[int], expected_loss: float,
                        expected_grads: Sequence, names: Sequence[str], function: str, value_tests: str = "the loss value tests",
                        rtol: float = 1e-6, atol: float = 1e-8, loss_rtol: float | None = None, loss_atol: float | None = None,
                        hints: Mapping[str, Mapping[str, object]] | None = None) -> None:
    """Grade the gradients ``call`` returns with its loss, charging a wrong loss value only to ``value_tests``.

    Parameters
    ----------
    call: ``call(*args) -> (loss, grads)``: the student's function adapted to return its loss and a
        sequence of gradients in ``wrt`` order (e.g. ``lambda p, t: (lambda r: (r[0], r[1:]))(submission.l1_loss(p, t))``).
        It raises AssertionError when the student's return value has the wrong form.
    args: the arguments; array arguments are copied for every call.
    wrt: positions in ``args`` of the inputs the gradients are taken with respect to.
    expected_loss, expected_grads: the reference loss (float) and gradients (float64 arrays).
    names: the gradients' names in messages (``("dpred",)``, ``("dw", "db")``).
    function: the student's function name, for messages (``"l1_loss"``).
    value_tests: what to point at when the loss value is the thing to fix.
    rtol, atol: tolerances of the gradients; ``loss_rtol``/``loss_atol`` of the loss (default the same).
    hints: per gradient name, hints for :func:`~autograder.testing.compare.assert_close`.
    """
    hints = hints or {}
    loss_tolerances = {"rtol": rtol if loss_rtol is None else loss_rtol, "atol": atol if loss_atol is None else loss_atol}
    loss, grads = call(*_fresh(args))
    if len(grads) != len(wrt):
        raise AssertionError(f"{function} must return {len(wrt)} gradient(s) ({', '.join(names)}) with the loss")
    try:
        for value, reference, name in zip(grads, expected_grads, names):
            assert_close(value, reference, name=name, rtol=rtol, atol=atol, hints=hints.get(name))
        return
    except ComparisonFailure as failure:
        reference_failure = failure
    try:
        assert_scalar_close(loss, expected_loss, name="loss", **loss_tolerances)
        loss_right = True
    except ComparisonFailure:
        loss_right = False
    if loss_right:
        raise reference_failure  # a right loss value: its gradient must be the reference one

    # The loss value is wrong: is the gradient the gradient of the student's own loss?
    try:
        float_grads = [np.asarray(value, dtype=np.float64) for value in grads]
        float(np.asarray(loss, dtype=np.float64))
    except (TypeError, ValueError):
        raise reference_failure from None
    low_precision = any(np.asarray(args[i]).dtype == np.float32 for i in wrt)
    float64_args = [np.asarray(a, dtype=np.float64) if i in wrt else a for i, a in enumerate(args)]

    def own_loss(trial_args: list) -> float:
        return float(np.asarray(call(*_fresh(trial_args))[0], dtype=np.float64))

    first = np.asarray(expected_grads[0], dtype=np.float64)
    seed = int(np.frombuffer(first.tobytes()[:8].ljust(8, b"\0"), dtype=np.uint64)[0] % (2**32))
    try:
        mismatch = directional_derivative_mismatch(own_loss, float64_args, wrt, float_grads, seed=seed,
                                                   relative_tolerance=2e-3 if low_precision else 1e-5)
    except GraderError:
        raise
    except Exception:  # noqa: BLE001 (the loss fails on nearby inputs, or returns no number: no own gradient)
        raise reference_failure from None
    if mismatch is None:
        note(f"{', '.join(names)} of {function} is the correct gradient of your loss; the loss value is wrong: see {value_tests}")
        return
    raise ComparisonFailure(f"{reference_failure} (your loss value is wrong too, see {value_tests}; and {', '.join(names)} "
                            f"is not the gradient of your own loss either)", hint=reference_failure.hint)
