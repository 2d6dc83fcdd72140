"""In-process submissions for a student's local ``check`` (speed and clear messages, no security).

No sandbox here, but the same per-call time limit as grading: an endless loop in
one function fails that test after ``call_timeout_s`` instead of hanging ``check``
(a ``SIGALRM`` timer, where the call runs in the main thread; code stuck inside
one long C call is interrupted when it returns to Python).
"""

from __future__ import annotations

import contextlib
import importlib.util
import pathlib
import signal
import sys
import threading
import time
import types
import uuid
import warnings
from collections.abc import Mapping

from autograder.errors import CallTimedOut
from autograder.harness.closures import bind_closures
from autograder.tensor_values import DeviceTensor

__all__ = ["LocalSubmission", "load_module_from_file"]

_MISSING = object()  # no default given to LocalSubmission.value
TIMEOUTS_BEFORE_GIVING_UP = 2  # as in grading: a function that timed out this often is not called again


class _TimeUp(BaseException):
    """Raised inside student code when its time is up (a BaseException, so ``except Exception`` in student code cannot swallow it)."""


@contextlib.contextmanager
def _time_limit(seconds: float | None, name: str):
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(_signum, _frame):
        raise _TimeUp()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def load_module_from_file(path: str | pathlib.Path, name: str | None = None) -> types.ModuleType:
    """Import ``path`` as a fresh module (not registered under its plain name)."""
    path = pathlib.Path(path)
    module_name = name or f"_ag_submission_{path.stem}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    directory = str(path.parent)
    sys.path.insert(0, directory)  # so the submission can import its own helper files
    try:
        spec.loader.exec_module(module)
    finally:
        if sys.path and sys.path[0] == directory:
            sys.path.pop(0)
    return module


def _on_devices(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """In-process, a tensor the test asked to put on a device (:func:`autograder.tensor_values.on_device`) goes there now."""

    def place(value):
        return value.tensor.to(value.device) if isinstance(value, DeviceTensor) else value

    return tuple(place(a) for a in args), {k: place(v) for k, v in kwargs.items()}


class LocalSubmission:
    """The student's module, called directly. Same interface as :class:`RemoteSubmission`."""

    def __init__(self, module: types.ModuleType, call_timeout_s: float | None = None, call_limits: Mapping[str, float] | None = None):
        self._module = module
        self._call_timeout_s = call_timeout_s
        self._call_limits = dict(call_limits or {})  # function -> seconds, where it differs from call_timeout_s
        self._timeouts: dict[str, int] = {}  # function name -> calls that timed out
        self.last_warnings: list[str] = []  # warnings raised by the last call, as in RemoteSubmission

    @classmethod
    def of(cls, module, spec) -> "LocalSubmission":
        """``module`` (or a notebook's namespace) with ``spec``'s time limits per call."""
        return cls(module, spec.limits.call_timeout_s, dict(spec.call_limits))

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            function = getattr(self._module, name)
        except AttributeError:
            raise AttributeError(f"the submission has no function '{name}' (is it defined, and spelled exactly so?)") from None
        if not callable(function):
            return function

        timeout = self._call_limits.get(name, self._call_timeout_s)

        def call_recording_warnings(*args, **kwargs):
            args, kwargs = bind_closures(*_on_devices(args, kwargs))
            if self._timeouts.get(name, 0) >= TIMEOUTS_BEFORE_GIVING_UP:
                raise CallTimedOut(f"not run: `{name}` already timed out {self._timeouts[name]} times (limit {timeout:g} s per call)")
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    with _time_limit(timeout, name):
                        result = function(*args, **kwargs)
                except _TimeUp:
                    self._timeouts[name] = self._timeouts.get(name, 0) + 1
                    raise CallTimedOut.after(name, timeout, own_limit=name in self._call_limits) from None
            self.last_warnings = [f"{w.category.__name__}: {w.message}"[:300] for w in caught[:20]]
            return result

        return call_recording_warnings

    def attribute(self, obj, name: str):
        """An attribute of one of the student's objects (in-process: the attribute itself)."""
        return getattr(obj, name)

    def has(self, name: str) -> bool:
        return callable(getattr(self._module, name, None))

    def value(self, name: str, default=_MISSING):
        """The module-level value ``name``; ``default`` when undefined (without one: AttributeError)."""
        try:
            return getattr(self._module, name)
        except AttributeError:
            if default is _MISSING:
                raise AttributeError(f"the submission defines no `{name}`") from None
            return default

    def timed(self, name: str, *args, repeat: int = 5, **kwargs):
        """Call ``name`` ``repeat`` times; return ``(result, best_seconds)``."""
        function = getattr(self, name)
        best = float("inf")
        result = None
        for _ in range(repeat):
            start = time.perf_counter()
            result = function(*args, **kwargs)
            best = min(best, time.perf_counter() - start)
        return result, best

    def grader_op(self, name: str, *args, **kwargs):
        """Run the grader operation ``name`` of :mod:`autograder.torch_ops` next to the student's objects.

        In-process the operation is called directly (with the per-call time limit, since it
        runs student code: a module's ``forward``); its result is returned as it is.
        """
        from autograder.torch_ops import GRADER_OPS

        if name not in GRADER_OPS:
            raise ValueError(f"unknown grader operation {name!r}; known: {', '.join(sorted(GRADER_OPS))}")
        args, kwargs = _on_devices(args, kwargs)
        try:
            with _time_limit(self._call_timeout_s, name):
                return GRADER_OPS[name](*args, **kwargs)
        except _TimeUp:
            raise CallTimedOut.after(name, self._call_timeout_s) from None

    def reset(self) -> None:
        """Nothing to reset in-process (remote submissions drop their handles here)."""
