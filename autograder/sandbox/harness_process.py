"""The host's handle on one warm harness (:mod:`autograder.harness.server`): start it, send grade requests, read replies.

Used by every sandbox: ``process`` and ``bwrap`` run the harness as a local
subprocess, ``docker-chunk`` inside a container (``docker run -i`` attached to the
same pipes). The harness is trusted; what comes back is one JSON reply per request
and an outcomes file the caller reads with :func:`read_outcomes`.
"""

from __future__ import annotations

import json
import os
import pathlib
import select
import signal
import subprocess
import threading
import time

from autograder.errors import GraderFault
from autograder.outcomes import MAX_OUTCOMES_BYTES, Outcomes

__all__ = ["HarnessProcess", "read_outcomes"]

START_TIMEOUT_S = 300.0


def read_outcomes(path: pathlib.Path) -> Outcomes:
    """Read an outcomes file: a regular file (no links followed), size-capped, valid outcomes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise GraderFault(f"the harness wrote no outcomes ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        if not os.path.isfile(f"/proc/self/fd/{fd}") and not pathlib.Path(path).is_file():
            raise GraderFault("the outcomes file is not a regular file")
        data = handle.read(MAX_OUTCOMES_BYTES + 1)
    return Outcomes.from_json(data)


class HarnessProcess:
    """A started warm harness. ``command`` is its argv (a local python, or ``docker run -i ...``)."""

    def __init__(self, command: list[str], *, env: dict[str, str] | None = None, cwd: str | None = None, label: str = "harness",
                 wait: bool = True):
        """Start the harness; with ``wait`` (the default) also wait until it is ready (:meth:`wait_ready`).

        The harness dies with the *thread* that starts it (its parent-death signal), so start
        it from a thread that lives as long as it is used; only the wait may happen elsewhere.
        """
        self.label = label
        self._ids = 0
        self._lock = threading.Lock()
        self._stderr_tail = bytearray()
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env=env, cwd=cwd, start_new_session=True)
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()
        self._buffer = b""
        self.collection_errors: list[str] = []
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Wait for the harness's ``ready`` line; raises :class:`GraderFault` (after stopping it) if it did not start."""
        try:
            ready = self._read_reply(time.monotonic() + START_TIMEOUT_S)
        except GraderFault:
            self.stop()
            raise
        if ready.get("op") != "ready":
            self.stop()
            raise GraderFault(f"the {self.label} did not start: {ready.get('error') or self.stderr_tail()}")
        # Tests that do not collect: every submission would be a grader error; the caller says why now.
        self.collection_errors = list(ready.get("collection_errors") or [])

    def _drain_stderr(self) -> None:
        stream = self.process.stderr
        try:
            while True:
                chunk = stream.read1(1 << 16) if hasattr(stream, "read1") else stream.read(1 << 16)
                if not chunk:
                    return
                self._stderr_tail = (self._stderr_tail + chunk)[-8000:]
        except (OSError, ValueError):
            return

    def stderr_tail(self) -> str:
        return self._stderr_tail.decode("utf-8", "replace")[-1500:]

    def _read_reply(self, deadline: float) -> dict:
        stdout = self.process.stdout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise GraderFault(f"the {self.label} did not answer in time")
            ready, _, _ = select.select([stdout], [], [], min(remaining, 1.0))
            if not ready:
                continue
            chunk = os.read(stdout.fileno(), 1 << 16)
            if not chunk:
                if self.process.poll() is None:
                    self.process.wait(timeout=5)
                raise GraderFault(f"the {self.label} ended (exit {self.process.poll()}): {self.stderr_tail()}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            reply = json.loads(line)
        except json.JSONDecodeError:
            raise GraderFault(f"the {self.label} sent something unreadable: {line[:200]!r}") from None
        return reply if isinstance(reply, dict) else {}

    def grade(self, bundle: str, outcomes: str, *, seed: int, warm: bool, timeout: float, owner: str | None = None,
              remember: bool = False) -> dict:
        """Ask for one grading; returns the reply (``ok`` true) or raises :class:`GraderFault`.

        ``remember``: the seed will come again; use the oracle memo on disk for it (if the harness has one)."""
        with self._lock:
            self._ids += 1
            request = {"op": "grade", "id": self._ids, "bundle": bundle, "outcomes": outcomes, "seed": seed, "warm": warm, "owner": owner,
                       "remember": remember}
            try:
                self.process.stdin.write((json.dumps(request) + "\n").encode())
                self.process.stdin.flush()
            except (BrokenPipeError, OSError):
                raise GraderFault(f"the {self.label} is gone: {self.stderr_tail()}") from None
            deadline = time.monotonic() + timeout
            while True:
                reply = self._read_reply(deadline)
                if reply.get("id") == self._ids:
                    break
        if not reply.get("ok"):
            raise GraderFault(str(reply.get("error") or "the harness failed"))
        return reply

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def interrupt(self) -> None:
        """SIGTERM to the harness's process group: it stops its child and its workers, then leaves."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, grace: float = 5.0) -> None:
        """End the harness: ``quit``, then SIGTERM, then SIGKILL."""
        if self.process.poll() is None:
            try:
                self.process.stdin.write(b'{"op": "quit"}\n')
                self.process.stdin.flush()
                self.process.stdin.close()
            except (BrokenPipeError, OSError, ValueError):
                pass
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.interrupt()
                try:
                    self.process.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    try:
                        os.killpg(self.process.pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                    self.process.wait()
        for stream in (self.process.stdout, self.process.stdin):
            try:
                stream.close()
            except (OSError, ValueError):
                pass

