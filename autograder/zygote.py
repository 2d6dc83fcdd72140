"""The zygote: a pristine process that has imported Python's heavy parts once and forks one worker per submission.

Started by a launcher (:mod:`autograder.launchers`) once per job slot, inside the
sandbox the workers will live in (a plain process, bubblewrap, a container)::

    python -I -m autograder.zygote --config JSON

It imports the assignment's allowed packages (numpy, and torch for a PyTorch
assignment: a second saved per submission) and nothing of any student, then serves
requests on a ``SOCK_SEQPACKET`` control socket from the harness:

``spawn``  with three file descriptors (requests in, replies out, output): fork a
           worker. The child, before it reads a byte of student code, gets a fresh
           ``/tmp`` of its own (as root), drops to the submission's uid, forbids new
           privileges, lowers its rlimits, re-seeds its random generators, installs the
           import rule, and then serves the harness as :class:`autograder.worker.Worker`.
           Reply: ``{"pid": n}``.
``wait``   ``{"pid": n, "timeout": s}``: reap that worker; reply its exit status.
``sweep``  kill every process the zygote still has below it (workers, daemons they
           left: the zygote is their subreaper) and reap them.

Every request carries an ``id`` its reply repeats, so a reply left unread by a
harness that died cannot be taken for the answer to a later request. CUDA is never
initialised here: a GPU worker initialises it after the fork.
"""

from __future__ import annotations

import argparse
import array
import gc
import json
import os
import signal
import socket
import sys
import time

__all__ = ["main"]

MAX_REQUEST_BYTES = 1 << 20
_PR_SET_CHILD_SUBREAPER = 36


def _receive(control: socket.socket) -> tuple[dict | None, list[int]]:
    fds = array.array("i")
    message, ancillary, _flags, _address = control.recvmsg(MAX_REQUEST_BYTES, socket.CMSG_SPACE(8 * fds.itemsize))
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
    if not message:
        return None, list(fds)
    return json.loads(message), list(fds)


def _status(raw: int) -> dict:
    if os.WIFSIGNALED(raw):
        return {"state": "signaled", "signal": os.WTERMSIG(raw)}
    return {"state": "exited", "code": os.WEXITSTATUS(raw)}


class Zygote:
    """The request loop; ``statuses`` keeps what reaping found until a ``wait`` asks for it."""

    def __init__(self, control: socket.socket, settings: dict):
        self.control = control
        self.settings = settings
        self.statuses: dict[int, dict] = {}
        self.children: set[int] = set()

    def reap(self) -> None:
        while True:
            try:
                pid, raw = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.children.discard(pid)
            if len(self.statuses) > 1000:
                self.statuses.clear()
            self.statuses[pid] = _status(raw)

    def spawn(self, config: dict, fds: list[int]) -> dict:
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            return {"error": "spawn needs three file descriptors"}
        gc.freeze()  # the worker's collections scan only what the submission allocates
        pid = os.fork()
        if pid == 0:
            try:
                _become_worker(config, fds, self.control.fileno())
            except BaseException:  # noqa: BLE001 (the harness reads it from the worker's output)
                import traceback

                traceback.print_exc()
                sys.stderr.flush()
            finally:
                os._exit(70)
        for fd in fds:
            os.close(fd)
        self.children.add(pid)
        return {"pid": pid}

    def wait(self, pid: int, timeout: float) -> dict:
        deadline = time.monotonic() + max(0.0, min(timeout, 60.0))
        while True:
            self.reap()
            if pid in self.statuses:
                return self.statuses.pop(pid)
            if pid not in self.children or time.monotonic() >= deadline:
                return {"state": "running" if pid in self.children else "unknown"}
            time.sleep(0.005)

    def sweep(self) -> dict:
        """Kill everything below the zygote (re-parented daemons included) and reap it."""
        killed = 0
        for _ in range(5):
            found = [pid for pid in _children_of(os.getpid())]
            for pid in found:
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed += 1
                except ProcessLookupError:
                    pass
            time.sleep(0.002 if found else 0)
            self.reap()
            if not found:
                break
        return {"killed": killed}

    def serve(self) -> None:
        self.control.sendall(json.dumps({"op": "ready", "pid": os.getpid(), "preloaded": self.settings.get("preloaded", [])}).encode())
        while True:
            try:
                request, fds = _receive(self.control)
            except (ConnectionError, OSError, ValueError):
                return
            if request is None:
                return
            op = request.get("op")
            if op == "spawn":
                reply = self.spawn(request.get("config") or {}, fds)
            elif op == "wait":
                reply = self.wait(int(request.get("pid", -1)), float(request.get("timeout", 0)))
            elif op == "sweep":
                reply = self.sweep()
            else:
                reply = {"error": f"unknown op {op!r}"}
            reply["id"] = request.get("id")
            try:
                self.control.sendall(json.dumps(reply).encode())
            except OSError:
                return


def _children_of(parent: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(name))
    return found


def _close_other_fds(keep: set[int]) -> None:
    for entry in os.listdir("/proc/self/fd"):
        fd = int(entry)
        if fd not in keep and fd > 2:
            try:
                os.close(fd)
            except OSError:
                pass


def _become_worker(config: dict, fds: list[int], control_fd: int) -> None:
    """In the forked child: confine this process, then serve the harness as a worker. Never returns."""
    from autograder import confinement

    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE):
        signal.signal(number, signal.SIG_DFL)
    os.close(control_fd)
    os.setsid()
    requests_in, replies_out, output = fds
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    for fd in (devnull, output):
        os.close(fd)
    _close_other_fds({requests_in, replies_out})
    if config.get("private_tmp"):
        confinement.private_tmp(config.get("work_root"), int(config.get("tmp_bytes", 256 << 20)))
    if config.get("uid") is not None:
        confinement.drop_privileges(int(config["uid"]))
    confinement.no_new_privileges()
    os.environ.clear()
    os.environ.update(config.get("env") or {})
    os.chdir(config["source_dir"])
    confinement.apply_limits(config.get("limits") or {})
    _reseed()
    from autograder.worker import serve_worker

    serve_worker({**config, "fd_in": requests_in, "fd_out": replies_out})
    os._exit(0)


def _reseed() -> None:
    """A forked worker must not draw the zygote's (hence every other worker's) random numbers.

    Only generators the zygote has loaded are reseeded: one imported later (by the student's
    code) seeds itself from the OS when it loads. ``numpy.random`` is a lazily loaded part of
    NumPy 2 (15-20 ms to import): the zygote preloads it, so that no worker pays for it.
    """
    random = sys.modules.get("random")
    if random is not None:
        random.seed(os.urandom(16))
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed(int.from_bytes(os.urandom(4), "little"))
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(int.from_bytes(os.urandom(8), "little") >> 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="JSON: control_fd, sys_path, preload")
    settings = json.loads(parser.parse_args(argv).config)
    # The grader's own package first: this copy of autograder, whatever else is installed.
    sys.path[:] = list(settings.get("sys_path", [])) + [p for p in sys.path if p and os.path.isdir(p) and p not in settings.get("sys_path", [])]
    try:
        import ctypes

        ctypes.CDLL(None).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if settings.get("parent_death_signal"):
        from autograder.confinement import set_parent_death_signal

        set_parent_death_signal(signal.SIGKILL)
    import autograder.protocol  # noqa: F401  (the worker's own modules, before any student code)
    import autograder.worker  # noqa: F401

    preloaded = []
    for name in settings.get("preload", []):
        try:
            __import__(name)
            preloaded.append(name)
        except Exception:  # noqa: BLE001 (a package that fails to import is simply not preloaded)
            pass
    if "numpy" in preloaded:
        import numpy.random  # noqa: F401  (loaded lazily by NumPy 2: once here, not in every worker)
    settings["preloaded"] = preloaded
    control = socket.socket(fileno=int(settings["control_fd"]))
    Zygote(control, settings).serve()


if __name__ == "__main__":
    main()
