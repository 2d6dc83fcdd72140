"""Run the harness for one submission as a local subprocess (the ``process`` and ``bwrap`` sandboxes).

The harness is trusted code; the worker it starts is confined by the launcher
(``process`` or ``bwrap``). The outcomes file is read back when the harness ends.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile

from autograder.harness.remote import GraderFault
from autograder.harness.run import harness_environment
from autograder.spec import AssignmentSpec

__all__ = ["LocalHarnessSandbox", "read_outcomes"]

MAX_OUTCOMES_BYTES = 32 << 20


def read_outcomes(path: pathlib.Path) -> dict:
    """Read an outcomes file: a regular file (no links followed), size-capped, valid JSON."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise GraderFault(f"the harness wrote no outcomes ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        if not os.path.isfile(f"/proc/self/fd/{fd}") and not pathlib.Path(path).is_file():
            raise GraderFault("the outcomes file is not a regular file")
        data = handle.read(MAX_OUTCOMES_BYTES + 1)
    if len(data) > MAX_OUTCOMES_BYTES:
        raise GraderFault("the outcomes file is too large")
    try:
        payload = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GraderFault(f"the outcomes file is not valid JSON: {exc}") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("tests"), list):
        raise GraderFault("the outcomes file has no test list")
    return payload


class LocalHarnessSandbox:
    """Runs ``python -m autograder.harness.run`` here, with the given worker launcher."""

    def __init__(self, launcher: str = "process"):
        self.name = launcher
        self.launcher = launcher

    def check_available(self) -> None:
        from autograder.sandbox import check_launcher

        check_launcher(self.launcher)

    def run(self, spec: AssignmentSpec, bundle_dir: pathlib.Path, *, seed: int, slot: int = 0, gpu: bool = False, tests: str = "hidden") -> dict:
        with tempfile.TemporaryDirectory(prefix="ag-harness-") as scratch:
            outcomes = pathlib.Path(scratch) / "outcomes.json"
            command = [
                sys.executable, "-m", "autograder.harness.run",
                "--assignment", str(spec.root), "--bundle", str(bundle_dir), "--outcomes", str(outcomes),
                "--tests", tests, "--seed", str(seed), "--launcher", self.launcher, "--slot", str(slot),
            ]
            if gpu:
                command.append("--gpu")
            timeout = spec.limits.total_timeout_s + 120
            try:
                # Its own session: nothing a worker does to its process group reaches the grader.
                completed = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                           timeout=timeout, env=harness_environment(), cwd=scratch, start_new_session=True)
            except subprocess.TimeoutExpired:
                raise GraderFault(f"the harness did not finish within {timeout:g} s") from None
            if completed.returncode != 0 or not outcomes.is_file():
                tail = completed.stdout.decode("utf-8", errors="replace")[-1500:]
                raise GraderFault(f"the harness failed (exit {completed.returncode}): {tail}")
            return read_outcomes(outcomes)
