"""Tests that expect the student's code to raise: ``assert_raises(ValueError, submission.f, x)``."""

from __future__ import annotations

from autograder.errors import StudentCodeError

__all__ = ["assert_raises"]


def assert_raises(exception_class: type[BaseException], function, *args, **kwargs) -> None:
    """Call ``function(*args, **kwargs)``; it must raise ``exception_class`` or a subclass.

    Works alike in-process (``check``: the student's exception itself) and when grading
    (the worker reports the exception's type and base classes as data, never as text to
    search). A stub's ``NotImplementedError`` or another exception fails the test.
    """
    name = getattr(function, "__name__", None) or getattr(function, "_name", None) or "the function"
    try:
        function(*args, **kwargs)
    except StudentCodeError as error:
        if error.raised(exception_class):
            return
        got = error.exception_type or error.kind
        raise AssertionError(f"`{name}` should raise {exception_class.__name__}, but it failed with {got}: {error}") from None
    except AssertionError:
        raise
    except exception_class:
        return
    except Exception as error:  # noqa: BLE001 (in-process: the student's own exception)
        raise AssertionError(f"`{name}` should raise {exception_class.__name__}, but it raised {type(error).__name__}: {error}") from None
    raise AssertionError(f"`{name}` should raise {exception_class.__name__}, but it returned normally")
