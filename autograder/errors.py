"""Every exception the grader raises, in one hierarchy that mirrors the result statuses.

A submission ends with one status (DESIGN.md): ``ok``, ``student_error`` (the
submission could not be used) or ``grader_error`` (the grader failed; retried,
never recorded as a zero). The exception classes follow the same split, so a
caller decides what happened by the class it catches, never by searching a
message for words::

    AutograderError
    ├── StudentError                 the submission's fault
    │   ├── IntakeError              unusable as submitted (not a notebook, zip bomb, ...)
    │   ├── LoadError                would not load (syntax error, import error, timeout)
    │   ├── StudentCodeError         one call into student code failed (fails that test only)
    │   │   └── CallTimedOut         ... because it ran past its time limit
    │   └── ProtocolError            the worker sent something that is not a protocol message
    ├── GraderError                  the grader's fault
    │   ├── GraderFault              grading broke down (worker did not start, harness crashed): retried
    │   └── SandboxUnavailable       the asked-for sandbox cannot run on this machine
    └── AuthoringError               an instructor's files are wrong
        ├── SpecError                assignment.toml
        ├── ReleaseError             solutions/<id> cannot be released
        └── ImageBuildError          the grader image could not be built

    GradingCancelled (BaseException)  Ctrl-C / SIGTERM stopped the batch: no result at all
    BatchInterrupted                  a batch stopped after N of M submissions

Student exceptions keep the student's exception type as data (``exception_type``
and its base classes' names in ``exception_bases``), so a test can ask "did it
raise a ValueError?" without reading text.
"""

from __future__ import annotations

__all__ = [
    "AuthoringError",
    "AutograderError",
    "BatchInterrupted",
    "CallTimedOut",
    "GraderError",
    "GraderFault",
    "GradingCancelled",
    "ImageBuildError",
    "IntakeError",
    "LoadError",
    "ProtocolError",
    "ReleaseError",
    "SandboxUnavailable",
    "SpecError",
    "StudentCodeError",
    "StudentError",
]


class AutograderError(Exception):
    """Base of every error the grader raises on purpose."""


# --------------------------------------------------------------------------- the submission's fault


class StudentError(AutograderError):
    """Something about the submission: its status is ``student_error`` (or one test fails)."""

    status = "student_error"


class IntakeError(StudentError):
    """The submission cannot be graded as it is; the message says why and what was expected."""


class LoadError(StudentError):
    """The submission would not load in the worker (syntax error, failing import, timeout at import).

    ``exception_type``: the student's exception class name (``"SyntaxError"``), or ``""``
    when loading failed without one (a timeout, the worker killed).
    """

    def __init__(self, message: str, exception_type: str = ""):
        super().__init__(message)
        self.exception_type = exception_type


class StudentCodeError(StudentError):
    """A call into student code failed; the message is feedback, the type is data.

    ``exception_type``: the class name of what the student's code raised (``"ValueError"``),
    ``""`` when the call failed otherwise (the worker was killed, a value could not cross).
    ``exception_bases``: names of that class and its bases (``("MyError", "ValueError",
    "Exception", ...)``), so ``raises(ValueError)`` also accepts a subclass.
    ``kind``: ``"exception"``, ``"memory"`` (memory limit), ``"timeout"``, ``"ended"`` (the
    worker died or exited), ``"missing"`` (no such function), ``"value"`` (returned
    something that is not a value).
    """

    def __init__(self, message: str, exception_type: str = "", exception_bases: tuple[str, ...] = (), kind: str = "exception"):
        super().__init__(message)
        self.exception_type = exception_type
        self.exception_bases = tuple(exception_bases) or ((exception_type,) if exception_type else ())
        self.kind = kind

    def raised(self, exception_class: type[BaseException]) -> bool:
        """Whether the student's code raised ``exception_class`` (or a subclass of it)."""
        return exception_class.__name__ in self.exception_bases


class CallTimedOut(StudentCodeError):
    """A call into student code ran past its time limit."""

    def __init__(self, message: str):
        super().__init__(message, kind="timeout")

    @classmethod
    def after(cls, function: str, seconds: float, *, own_limit: bool = False) -> "CallTimedOut":
        """The timeout of one call, in words that say which call and how long it may take
        (``own_limit``: the function has a limit of its own in ``[call_limits]``)."""
        if own_limit:
            return cls(f"`{function}` ran out of time: one call may take at most {seconds:g} s")
        return cls(f"timed out after {seconds:g} s in `{function}`")


class ProtocolError(StudentError):
    """A frame or value read from the worker does not follow the protocol (forged, malformed, too large).

    Only the worker, which runs student code, sends what the harness decodes; the
    harness ends that worker and fails the call that was waiting for it.
    """


# --------------------------------------------------------------------------- the grader's fault


class GraderError(AutograderError):
    """The grader, not the submission, failed: status ``grader_error``, never a zero."""

    status = "grader_error"


class GraderFault(GraderError):
    """Grading broke down (the worker could not start, the harness crashed): retried, then reported."""


class SandboxUnavailable(GraderError):
    """The requested sandbox cannot run on this machine; the message says what to install."""


# --------------------------------------------------------------------------- the instructor's files


class AuthoringError(AutograderError, ValueError):
    """An assignment's files are wrong; the message names the file and what to fix."""


class SpecError(AuthoringError):
    """An ``assignment.toml`` is missing, malformed or inconsistent."""


class ReleaseError(AuthoringError):
    """The solution folder cannot be released as it is."""


class ImageBuildError(AuthoringError):
    """The grader image could not be built; the message says why."""


# --------------------------------------------------------------------------- stopping a batch


class GradingCancelled(BaseException):
    """The batch is being stopped (Ctrl-C, SIGTERM): a sandbox's ``cancel()`` ended this grading.

    A ``BaseException`` so that the catch-alls that turn grader faults into results do
    not record it: a cancelled submission gets no result and is graded by ``--resume``.
    """


class BatchInterrupted(AutograderError):
    """A batch was stopped by Ctrl-C or SIGTERM after ``done`` of ``total`` submissions."""

    def __init__(self, done: int, total: int):
        super().__init__(f"interrupted after {done} of {total} submission(s); finished results are in the gradebook")
        self.done = done
        self.total = total
