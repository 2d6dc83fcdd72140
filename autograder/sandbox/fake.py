"""A sandbox for unit tests of the batch machinery: no harness, no worker, outcomes made up by a function.

``FakeSandbox(outcomes_for)`` calls ``outcomes_for(spec, bundle_dir, seed)`` for each
grading; it may return :class:`~autograder.outcomes.Outcomes` or raise
:class:`~autograder.errors.GraderFault` to stand for a broken grading. It records
every call, so tests can check retries, slots and seeds without starting anything.
"""

from __future__ import annotations

import pathlib
import threading
from collections.abc import Callable

from autograder.errors import GradingCancelled
from autograder.outcomes import Outcomes
from autograder.spec import AssignmentSpec

__all__ = ["FakeSandbox"]


class FakeSandbox:
    name = "fake"

    def __init__(self, outcomes_for: Callable[[AssignmentSpec, pathlib.Path, int], Outcomes]):
        self.outcomes_for = outcomes_for
        self.calls: list[dict] = []
        self.cancelled = False
        self.closed = False
        self._lock = threading.Lock()

    def check_available(self) -> None:
        return None

    def grade(self, spec: AssignmentSpec, bundle_dir: pathlib.Path, *, seed: int, slot: int = 0, gpu: bool = False,
              tests: str = "hidden", warm: bool = False, jobs: int = 1, owner: str | None = None,
              seed_fixed: bool = False) -> Outcomes:
        if self.cancelled:
            raise GradingCancelled()
        with self._lock:
            self.calls.append({"bundle": pathlib.Path(bundle_dir), "seed": seed, "slot": slot, "gpu": gpu, "tests": tests, "warm": warm, "owner": owner,
                               "files": sorted(p.name for p in pathlib.Path(bundle_dir).iterdir())})
        return self.outcomes_for(spec, pathlib.Path(bundle_dir), seed)

    def cancel(self) -> None:
        self.cancelled = True

    def close(self) -> None:
        self.closed = True
