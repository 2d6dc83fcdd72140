"""Run the harness for one submission as a local subprocess (the ``process`` and ``bwrap`` sandboxes).

The harness is trusted code; the worker it starts is confined by the launcher
(``process`` or ``bwrap``). The outcomes file is read back when the harness ends.
"""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import threading

from autograder.errors import GraderFault
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

    #: after SIGTERM, how long a harness gets to stop its worker before it is killed
    CANCEL_GRACE_S = 5.0

    def __init__(self, launcher: str = "process"):
        self.name = launcher
        self.launcher = launcher
        self._running: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self.cancelled = False

    def check_available(self) -> None:
        from autograder.sandbox import check_launcher

        check_launcher(self.launcher)

    def cancel(self) -> None:
        """Stop every running harness (SIGTERM: it tears its worker down; SIGKILL after a grace period).

        Their :meth:`run` calls raise :class:`~autograder.sandbox.GradingCancelled`, and so
        does every later call.
        """
        with self._lock:
            self.cancelled = True
            running = list(self._running)
        for process in running:
            _signal_group(process, signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=self.CANCEL_GRACE_S)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)

    def run(self, spec: AssignmentSpec, bundle_dir: pathlib.Path, *, seed: int, slot: int = 0, gpu: bool = False, tests: str = "hidden") -> dict:
        from autograder.sandbox import GradingCancelled

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
            with self._lock:
                if self.cancelled:
                    raise GradingCancelled()
                # Its own session: nothing a worker does to its process group reaches the grader.
                process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                           env=harness_environment(), cwd=scratch, start_new_session=True)
                self._running.add(process)
            try:
                output, _ = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.communicate()
                raise GraderFault(f"the harness did not finish within {timeout:g} s") from None
            finally:
                with self._lock:
                    self._running.discard(process)
            if self.cancelled:
                raise GradingCancelled()
            if process.returncode != 0 or not outcomes.is_file():
                tail = output.decode("utf-8", errors="replace")[-1500:]
                raise GraderFault(f"the harness failed (exit {process.returncode}): {tail}")
            return read_outcomes(outcomes)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    """Signal the process group a harness leads (it was started in its own session)."""
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
