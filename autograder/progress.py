"""A dependency-free progress bar for batches (stderr; a line per 10% when not a terminal)."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter

__all__ = ["Progress"]


class Progress:
    def __init__(self, total: int, label: str = "grading", stream=None, enabled: bool = True):
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled and total > 0
        self.done = 0
        self.statuses: Counter[str] = Counter()
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._last_decile = -1
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def advance(self, status: str) -> None:
        with self._lock:
            self.done += 1
            self.statuses[status] += 1
            if not self.enabled:
                return
            fraction = self.done / self.total
            counts = " ".join(f"{key}={value}" for key, value in sorted(self.statuses.items()))
            elapsed = time.monotonic() - self.started
            width = 30
            bar = "#" * int(fraction * width) + "-" * (width - int(fraction * width))
            line = f"{self.label} [{bar}] {self.done}/{self.total} {counts} {elapsed:.0f}s"
            if self._tty:
                self.stream.write("\r" + line + ("\n" if self.done == self.total else ""))
                self.stream.flush()
            elif int(fraction * 10) != self._last_decile or self.done == self.total:
                self._last_decile = int(fraction * 10)
                self.stream.write(line + "\n")
                self.stream.flush()
