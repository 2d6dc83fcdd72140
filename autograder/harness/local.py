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

from autograder.harness.closures import bind_closures

__all__ = ["CallTimedOut", "LocalSubmission", "load_module_from_file"]

TIMEOUTS_BEFORE_GIVING_UP = 2  # as in grading: a function that timed out this often is not called again


class CallTimedOut(BaseException):
    """A call into student code ran past its time limit (a BaseException, so ``except Exception`` in student code cannot swallow it)."""


@contextlib.contextmanager
def _time_limit(seconds: float | None, name: str):
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(_signum, _frame):
        raise CallTimedOut(f"timed out after {seconds:g} s in `{name}`")

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


class LocalSubmission:
    """The student's module, called directly. Same interface as :class:`RemoteSubmission`."""

    def __init__(self, module: types.ModuleType, call_timeout_s: float | None = None):
        self._module = module
        self._call_timeout_s = call_timeout_s
        self._timeouts: dict[str, int] = {}  # function name -> calls that timed out
        self.last_warnings: list[str] = []  # warnings raised by the last call, as in RemoteSubmission

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            function = getattr(self._module, name)
        except AttributeError:
            raise AttributeError(f"the submission has no function '{name}' (is it defined, and spelled exactly so?)") from None
        if not callable(function):
            return function

        def call_recording_warnings(*args, **kwargs):
            args, kwargs = bind_closures(args, kwargs)
            if self._timeouts.get(name, 0) >= TIMEOUTS_BEFORE_GIVING_UP:
                raise CallTimedOut(f"not run: `{name}` already timed out {self._timeouts[name]} times (limit {self._call_timeout_s:g} s per call)")
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    with _time_limit(self._call_timeout_s, name):
                        result = function(*args, **kwargs)
                except CallTimedOut:
                    self._timeouts[name] = self._timeouts.get(name, 0) + 1
                    raise
            self.last_warnings = [f"{w.category.__name__}: {w.message}"[:300] for w in caught[:20]]
            return result

        return call_recording_warnings

    def has(self, name: str) -> bool:
        return callable(getattr(self._module, name, None))

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

    def grader_op(self, name: str, *args):
        """Run the grader operation ``name`` of :mod:`autograder.torch_ops` next to the student's objects.

        In-process the operation is called directly (with the per-call time limit, since it
        runs student code: a module's ``forward``); its result is returned as it is.
        """
        from autograder.torch_ops import GRADER_OPS

        if name not in GRADER_OPS:
            raise ValueError(f"unknown grader operation {name!r}; known: {', '.join(sorted(GRADER_OPS))}")
        with _time_limit(self._call_timeout_s, name):
            return GRADER_OPS[name](*args)

    def reset(self) -> None:
        """Nothing to reset in-process (remote submissions drop their handles here)."""
