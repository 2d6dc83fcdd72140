"""A graded task: a named group of tests worth some points (``[[tasks]]`` of ``assignment.toml``).

Its own module so that both :mod:`autograder.spec` (which reads tasks from
``assignment.toml``) and :mod:`autograder.question_bank` (which makes one task per
question) can use it without importing each other.
"""

from __future__ import annotations

import dataclasses

__all__ = ["Task"]


@dataclasses.dataclass(frozen=True)
class Task:
    """One graded task: a named group of tests worth ``points``."""

    id: str
    title: str
    points: float
    functions: tuple[str, ...]
