"""Harness-side timing of reference code, for speed limits such as ``<= 8 * reference + 2 ms``."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["best_time"]


def best_time(function: Callable, *args, repeat: int = 5, **kwargs) -> float:
    """Best wall time in seconds of ``function(*args, **kwargs)`` over ``repeat`` runs (harness side)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best
