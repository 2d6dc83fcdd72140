"""The harness's side of a zygote (:mod:`autograder.zygote`): start it once per slot, fork workers from it.

:class:`ZygoteClient` owns the zygote process and its ``SOCK_SEQPACKET`` control
socket. :meth:`ZygoteClient.spawn` creates the three pipes of a worker, hands the
worker's ends to the zygote (``SCM_RIGHTS``), and returns a :class:`ZygoteWorker`
holding the harness's ends. The client object is inherited by the harness's forked
per-submission children; requests carry ids, so a reply a killed child left unread
is never taken for another's.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import threading

from autograder.errors import GraderFault
from autograder.launchers.worker_handle import OutputCollector, WorkerExit, WorkerHandle, kill_processes_of_uid, process_is_running

__all__ = ["ZygoteClient", "ZygoteWorker"]

READY_TIMEOUT_S = 120.0


class ZygoteClient:
    """A started zygote. ``command(config)`` is its argv for a given config (the launcher wraps it)."""

    def __init__(self, command, *, settings: dict, env: dict[str, str], cwd: str, popen_kwargs: dict | None = None,
                 output_limit: int = 64 << 10):
        parent_end, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._socket = parent_end
        self._starter_pid = os.getpid()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        read_end, write_end = os.pipe()
        config = {**settings, "control_fd": zygote_end.fileno()}
        try:
            self.process = subprocess.Popen(command(config), stdin=subprocess.DEVNULL, stdout=write_end, stderr=write_end,
                                            pass_fds=(zygote_end.fileno(),), close_fds=True, cwd=cwd, env=env,
                                            start_new_session=True, **(popen_kwargs or {}))
        except OSError as exc:
            os.close(read_end)
            raise GraderFault(f"the worker zygote could not be started: {exc}") from exc
        finally:
            zygote_end.close()
            os.close(write_end)
        self.log = OutputCollector(read_end, output_limit)
        self._socket.settimeout(READY_TIMEOUT_S)
        try:
            ready = json.loads(self._socket.recv(1 << 20) or b"null")
        except (OSError, ValueError) as exc:
            ready = None
            detail = str(exc)
        else:
            detail = ""
        if not isinstance(ready, dict) or ready.get("op") != "ready":
            self.close()
            raise GraderFault(f"the worker zygote did not start ({detail or 'no ready message'}): {self.log.text()[-800:]}")
        self.preloaded = list(ready.get("preloaded", []))

    def _request(self, message: dict, fds: list[int] | None = None, timeout: float = 30.0) -> dict:
        request_id = next(self._ids)
        with self._lock:
            self._socket.settimeout(timeout)
            data = json.dumps({**message, "id": request_id}).encode()
            try:
                if fds:
                    socket.send_fds(self._socket, [data], fds)
                else:
                    self._socket.send(data)
                while True:
                    reply = self._socket.recv(1 << 20)
                    if not reply:
                        raise GraderFault(f"the worker zygote ended: {self.log.text()[-800:]}")
                    decoded = json.loads(reply)
                    if decoded.get("id") == request_id:
                        return decoded
            except (OSError, ValueError) as exc:
                raise GraderFault(f"the worker zygote did not answer ({type(exc).__name__}: {exc}): {self.log.text()[-500:]}") from None

    def spawn(self, config: dict, output_limit: int) -> "ZygoteWorker":
        """Fork a worker with ``config`` (source_dir, module, limits, uid, ...); returns its handle."""
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        output_r, output_w = os.pipe()
        try:
            reply = self._request({"op": "spawn", "config": config}, [to_worker_r, from_worker_w, output_w])
        except BaseException:
            for fd in (to_worker_w, from_worker_r, output_r):
                os.close(fd)
            raise
        finally:
            for fd in (to_worker_r, from_worker_w, output_w):
                os.close(fd)
        if not isinstance(reply.get("pid"), int):
            for fd in (to_worker_w, from_worker_r, output_r):
                os.close(fd)
            raise GraderFault(f"the worker zygote could not fork a worker: {reply.get('error', reply)}")
        return ZygoteWorker(self, reply["pid"], to_worker_w, from_worker_r, OutputCollector(output_r, output_limit), config.get("uid"))

    def wait(self, pid: int, timeout: float) -> WorkerExit:
        return WorkerExit.from_dict(self._request({"op": "wait", "pid": pid, "timeout": timeout}, timeout=timeout + 30))

    def sweep(self) -> None:
        """Kill every process below the zygote (workers and what they left)."""
        self._request({"op": "sweep"})

    @property
    def alive(self) -> bool:
        """Whether the zygote is running, asked from the harness or from one of its forked children.

        Only the process that started the zygote can wait for it: in a forked child ``waitpid``
        fails with ECHILD, which ``Popen.poll`` takes for an exit (every child then started a
        zygote of its own, 0.1 s a submission). A child reads the zygote's state in ``/proc``.
        """
        if os.getpid() == self._starter_pid:
            return self.process.poll() is None
        return process_is_running(self.process.pid)

    def close(self) -> None:
        try:
            self._socket.close()
        except OSError:
            pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.log.join()


class ZygoteWorker(WorkerHandle):
    """A worker forked by a zygote: the zygote reaps it and reports how it ended."""

    def __init__(self, zygote: ZygoteClient, pid: int, fd_to: int, fd_from: int, output: OutputCollector, uid: int | None):
        self.zygote = zygote
        self.pid = pid
        self.fd_to = fd_to
        self.fd_from = fd_from
        self.output = output
        self.uid = uid
        self._exit: WorkerExit | None = None

    def settle(self, timeout: float) -> None:
        if self._exit is None or self._exit.state == "running":
            try:
                self._exit = self.zygote.wait(self.pid, timeout)
            except GraderFault:
                self._exit = WorkerExit("unknown")

    def kill(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)  # the worker leads its own session (setsid after the fork)
        except (ProcessLookupError, PermissionError):
            pass
        if self.uid is not None:
            kill_processes_of_uid(self.uid)
        if self._exit is None or self._exit.state in ("running", "unknown"):
            try:
                self._exit = self.zygote.wait(self.pid, 5.0)
            except GraderFault:
                self._exit = WorkerExit("unknown")
        self.close_pipes()

    def exit(self) -> WorkerExit:
        if self._exit is None or self._exit.state == "running":
            self._exit = self.zygote.wait(self.pid, 0.5)
        return self._exit
