"""Notes a passing test leaves for the student ("your backward is right for your own forward").

A test that passes normally says nothing. Some pass *with a remark*: a backward
pass graded against the gradient of the student's own (wrong) forward passes, and
the student should still hear that the forward is what to fix. ``note(text)``
attaches such a remark to the test that is running; the plugin collects it into
the test's outcome, and the feedback shows it under the task.
"""

from __future__ import annotations

__all__ = ["collect_notes", "note", "start_collecting"]

_current: list[str] | None = None


def start_collecting() -> None:
    """Called by the plugin when a test starts."""
    global _current
    _current = []


def collect_notes() -> list[str]:
    """Called by the plugin when a test ends: the notes it left (and stop collecting)."""
    global _current
    notes, _current = _current or [], None
    return notes


def note(text: str) -> None:
    """Attach ``text`` to the running test's outcome (ignored outside a test run)."""
    if _current is not None and text not in _current:
        _current.append(str(text)[:1000])
