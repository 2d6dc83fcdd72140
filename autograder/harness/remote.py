"""Placeholder while the worker proxy is written."""


class StudentCodeError(Exception):
    """An error raised by (or because of) student code in the worker."""
