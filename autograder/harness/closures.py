"""Test functions that stand for a closure over one argument of the call they are passed to.

Some contracts let student code call a function with an argument it then
ignores: CS231n's ``numeric_gradient(lambda _: net.loss(), x)`` perturbs ``x``
IN PLACE and relies on the closure seeing that same array. A harness function
passed across the sandbox boundary is called with *copies* of what the student
passes, so it cannot tell an in-place perturbation from a perturbed copy.

``closure_over(1, f)`` passed as an argument of ``submission.numeric_gradient(closure, x)``
is called, whatever the student passes to it, with the CURRENT value of the
call's positional argument 1 (``x``) as the student's code holds it: in the
worker (grading) or in-process (``check``). A submission that perturbs a copy
is then seen to leave ``x`` unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ArgumentClosure", "bind_closures", "closure_over"]


@dataclass(frozen=True)
class ArgumentClosure:
    """``function`` called with the live value of positional argument ``index`` of the call."""

    index: int
    function: Callable

    def __call__(self, *_ignored):
        raise TypeError("closure_over(...) only works as an argument of a submission call")

    def check_fits(self, args: tuple) -> None:
        """Raise ``ValueError`` unless ``args`` (the call's positional arguments) has argument ``index``."""
        if not 0 <= self.index < len(args):
            raise ValueError(f"closure_over({self.index}, ...) names no positional argument of this call")


def closure_over(index: int, function: Callable) -> ArgumentClosure:
    """A stand-in for ``lambda *_: function(args[index])`` inside a submission call."""
    if type(index) is not int or index < 0:
        raise ValueError("closure_over needs the index of a positional argument")
    return ArgumentClosure(index, function)


def bind_closures(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """For an in-process call: replace each :class:`ArgumentClosure` by a real closure over ``args``."""

    def bind(value):
        if not isinstance(value, ArgumentClosure):
            return value
        value.check_fits(args)
        target, function = args[value.index], value.function
        return lambda *_ignored: function(target)

    return tuple(bind(a) for a in args), {k: bind(v) for k, v in kwargs.items()}
