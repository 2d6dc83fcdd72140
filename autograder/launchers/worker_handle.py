"""A running worker as the harness sees it: two protocol pipes, capped output, how it ended, a kill switch.

Two kinds, one interface (:class:`WorkerHandle`): a worker forked by the slot's
zygote (:class:`autograder.launchers.zygote_client.ZygoteWorker`) and one started
cold as its own process (:class:`ColdWorker`). How a worker ended is data
(:class:`WorkerExit`), never words to search.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import signal
import subprocess
import threading

__all__ = ["ColdWorker", "OutputCollector", "WorkerExit", "WorkerHandle", "become_subreaper", "kill_orphaned_children",
           "kill_processes_of_uid", "process_is_running"]

_PR_SET_CHILD_SUBREAPER = 36


@dataclasses.dataclass(frozen=True)
class WorkerExit:
    """How a worker process ended: ``state`` is ``exited`` (with ``code``), ``signaled`` (with
    ``signal``), ``running`` or ``unknown``."""

    state: str
    code: int | None = None
    signal: int | None = None

    @classmethod
    def from_returncode(cls, code: int | None) -> "WorkerExit":
        if code is None:
            return cls("running")
        return cls("signaled", signal=-code) if code < 0 else cls("exited", code=code)

    @classmethod
    def from_dict(cls, raw: dict) -> "WorkerExit":
        state = raw.get("state")
        if state == "signaled" and isinstance(raw.get("signal"), int):
            return cls("signaled", signal=raw["signal"])
        if state == "exited" and isinstance(raw.get("code"), int):
            return cls("exited", code=raw["code"])
        return cls(state if state in ("running", "unknown") else "unknown")

    @property
    def killed(self) -> bool:
        """SIGKILL: the grader's kill, or the kernel's (often the memory limit)."""
        return self.state == "signaled" and self.signal == signal.SIGKILL

    def describe(self) -> str:
        if self.state == "signaled":
            if self.signal == signal.SIGXCPU:
                return "CPU time limit exceeded"
            if self.signal == signal.SIGXFSZ:
                return "file size limit exceeded"
            if self.signal == signal.SIGKILL:
                return "killed (SIGKILL; often the memory limit)"
            name = signal.Signals(self.signal).name if self.signal in signal.Signals._value2member_map_ else str(self.signal)
            return f"killed by signal {name}"
        if self.state == "exited":
            return f"exited with code {self.code}"
        return "still running" if self.state == "running" else "ended"


class WorkerHandle:
    """What the harness holds of a started worker (see the concrete classes)."""

    fd_to: int
    fd_from: int
    output: "OutputCollector"
    pid: int
    uid: int | None

    def kill(self) -> None:
        raise NotImplementedError

    def exit(self) -> WorkerExit:
        raise NotImplementedError

    def settle(self, timeout: float) -> None:
        """Give a worker that is ending on its own ``timeout`` seconds to finish (so its exit status is its own)."""
        raise NotImplementedError

    def close_pipes(self) -> None:
        for fd in (self.fd_to, self.fd_from):
            try:
                os.close(fd)
            except OSError:
                pass
        self.output.join()


def become_subreaper() -> bool:
    """Make orphaned descendants (a daemonised fork) re-parent to this process, so they can be found."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def process_is_running(pid: int) -> bool:
    """Whether ``pid`` exists and has not ended (a zombie has ended), without waiting for it."""
    return _live_status_field(pid, "Pid") == pid


def _proc_entries():
    for name in os.listdir("/proc"):
        if name.isdigit():
            yield int(name)


def _live_status_field(pid: int, field: str) -> int | None:
    """The first number of ``field`` in ``/proc/PID/status`` ("Uid", "PPid"); None for a process
    that has ended (a zombie: nothing left to kill, only its exit status to reap) or is gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            lines = dict(line.split(b":", 1) for line in handle.read().splitlines() if b":" in line)
    except OSError:
        return None
    state, value = lines.get(b"State", b"").split(), lines.get(field.encode(), b"").split()
    if not value or (state and state[0] in (b"Z", b"X")):
        return None
    return int(value[0])


def _kill_matching(field: str, value: int, reap: bool = False, spare: set[int] | frozenset[int] = frozenset()) -> int:
    """SIGKILL every live process whose /proc status ``field`` (first number) is ``value``; repeat
    until none is left, since a fork bomb may spawn while we sweep. Returns how many were killed."""
    killed = 0
    for _ in range(5):
        found = 0
        for pid in _proc_entries():
            if pid in spare:
                continue
            if _live_status_field(pid, field) == value:
                found += 1
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        killed += found
        if reap:
            _reap_all()
        if not found:
            break
    return killed


def kill_processes_of_uid(uid: int) -> int:
    """SIGKILL every process whose real uid is ``uid`` (a worker uid no one else uses)."""
    return _kill_matching("Uid", uid)


# Cold workers this process started and has not killed yet: children of ours, but not orphans.
_live_worker_pids: set[int] = set()


def kill_orphaned_children() -> int:
    """SIGKILL processes re-parented to us (as subreaper), other than live workers, and reap them."""
    return _kill_matching("PPid", os.getpid(), reap=True, spare=_live_worker_pids)


def _reap_all() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


class OutputCollector:
    """Drains a pipe in a thread, keeping the first ``limit`` bytes (the rest is counted, not kept)."""

    def __init__(self, fd: int, limit: int):
        self.limit = limit
        self.kept = bytearray()
        self.total = 0
        self._fd = fd
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        try:
            while True:
                chunk = os.read(self._fd, 1 << 16)
                if not chunk:
                    break
                self.total += len(chunk)
                room = self.limit - len(self.kept)
                if room > 0:
                    self.kept += chunk[:room]
        except OSError:
            pass
        finally:
            os.close(self._fd)

    @property
    def truncated(self) -> bool:
        return self.total > self.limit

    def text(self) -> str:
        return self.kept.decode("utf-8", errors="replace")

    def join(self, timeout: float = 2.0) -> None:
        self._thread.join(timeout)


class ColdWorker(WorkerHandle):
    """A worker started as its own process (no zygote): ``popen`` is its process (or its bwrap)."""

    def __init__(self, popen: subprocess.Popen, fd_to: int, fd_from: int, output: OutputCollector, uid: int | None):
        self.popen = popen
        self.pid = popen.pid
        self.fd_to = fd_to
        self.fd_from = fd_from
        self.output = output
        self.uid = uid  # dedicated uid when privileges were dropped, else None
        _live_worker_pids.add(popen.pid)

    def kill(self) -> None:
        """Kill the worker, its process group and anything it left behind; close the pipes."""
        _live_worker_pids.discard(self.popen.pid)
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.uid is not None:
            kill_processes_of_uid(self.uid)
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        kill_orphaned_children()
        self.close_pipes()

    def exit(self) -> WorkerExit:
        return WorkerExit.from_returncode(self.popen.poll())

    def settle(self, timeout: float) -> None:
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
