"""The ``process`` sandbox: the worker as a plain subprocess, confined by rlimits.

- rlimits (address space, CPU seconds, processes, file size, open files), set by
  the worker itself before it imports anything of the student's;
- its own session and process group, killed as a whole, plus a sweep of its uid
  (or of orphans re-parented to the harness) so a daemonised fork cannot linger;
- when the harness runs as root, the worker runs as a dedicated unprivileged uid;
- a clean environment: no inherited secrets, BLAS/OpenMP threads pinned to 1;
- forbidden imports, and third-party packages outside the assignment's
  ``student_packages``, refused by an audit hook in the worker
  (:mod:`autograder.student_imports`).

It does not hide the file system: use ``bwrap`` or ``docker`` for that.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import stat
import subprocess
import sys
import tempfile

from autograder.sandbox.worker_process import OutputCollector, WorkerProcess, kill_processes_of_uid
from autograder.sandbox.worker_uid import UidLease, lease_worker_uid
from autograder.spec import AssignmentSpec

__all__ = ["ProcessLauncher", "WorkerSetup", "worker_environment"]



def worker_environment(home: str, gpu: bool) -> dict[str, str]:
    """The whole environment a worker sees: nothing inherited but the GPU selection."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONUNBUFFERED": "1",
        "MPLBACKEND": "Agg",
    }
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS"):
        env[name] = "1"
    if gpu:
        if "CUDA_VISIBLE_DEVICES" in os.environ:
            env["CUDA_VISIBLE_DEVICES"] = os.environ["CUDA_VISIBLE_DEVICES"]
    else:
        env["CUDA_VISIBLE_DEVICES"] = ""
    return env


def _readable_by_others(path: pathlib.Path) -> bool:
    """Whether a uid that is neither owner nor in the group can reach and read ``path``."""
    path = path.resolve()
    for parent in reversed(path.parents):
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            return False
    mode = os.stat(path).st_mode
    return bool(mode & stat.S_IROTH) and (not path.is_dir() or bool(mode & stat.S_IXOTH))


def _work_base() -> str:
    """A temporary directory the worker's uid can reach: $TMPDIR may sit in a private folder."""
    for candidate in (tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"):
        path = pathlib.Path(candidate)
        if path.is_dir() and os.access(path, os.W_OK) and all(os.stat(p).st_mode & stat.S_IXOTH for p in (path.resolve(), *path.resolve().parents)):
            return str(path)
    return tempfile.gettempdir()


def remove_files_of_uid(uid: int, bases: tuple[str, ...] = ("/tmp", "/var/tmp", "/dev/shm")) -> None:
    """Delete what a dedicated worker uid left in the world-writable folders (it owns nothing else)."""
    for base in bases:
        try:
            entries = list(os.scandir(base))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


class WorkerSetup:
    """What a launcher needs to start a worker for one submission."""

    def __init__(self, spec: AssignmentSpec, source_dir: pathlib.Path, gpu: bool = False, slot: int = 0):
        self.spec = spec
        self.source_dir = source_dir
        self.gpu = gpu
        self.slot = slot


class ProcessLauncher:
    """Starts workers as confined subprocesses. One launcher per harness (per submission)."""

    name = "process"

    def __init__(self, setup: WorkerSetup):
        self.setup = setup
        self.uid_lease: UidLease | None = None
        self.uid = self._lease_uid() if self._wants_dedicated_uid() else None
        self.workdir = pathlib.Path(tempfile.mkdtemp(prefix="ag-worker-", dir=_work_base() if self.uid is not None else None))
        self.source_dir = self.workdir / "src"
        shutil.copytree(setup.source_dir, self.source_dir, symlinks=False)
        self.warnings: list[str] = []
        if os.geteuid() == 0 and self.uid is None:
            self.warnings.append(
                "the worker runs as root: the Python interpreter or its packages are not readable by other users "
                "(install into a world-readable location, or use --sandbox bwrap/docker)"
            )
        if self.uid is not None:
            for path in [self.workdir, *self.workdir.rglob("*")]:
                os.chown(path, self.uid, self.uid, follow_symlinks=False)
        os.chmod(self.workdir, 0o700)

    def _wants_dedicated_uid(self) -> bool:
        """As root, when the interpreter and its packages are readable by another uid."""
        if os.geteuid() != 0:
            return False
        import numpy

        needed = [pathlib.Path(sys.executable), pathlib.Path(os.__file__).parent, pathlib.Path(numpy.__file__).parent, pathlib.Path(__file__).resolve().parent.parent]
        return all(_readable_by_others(p) for p in needed)

    def _lease_uid(self) -> int:
        """A worker uid no other running harness uses (:mod:`autograder.sandbox.worker_uid`), swept clean."""
        from autograder.harness.remote import GraderFault

        try:
            self.uid_lease = lease_worker_uid(self.setup.slot)
        except OSError as exc:
            raise GraderFault(f"no worker uid could be leased: {exc}") from exc
        uid = self.uid_lease.uid
        kill_processes_of_uid(uid)  # whatever an earlier holder that died left behind
        remove_files_of_uid(uid)
        return uid

    def confine(self, inner: list[str]) -> list[str]:
        """The argv that runs ``inner`` as the worker uid, for processes this launcher does not start
        itself (a notebook kernel started by jupyter_client): ``setpriv`` drops to the uid."""
        if self.uid is None:
            return list(inner)
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--", *inner]

    def command(self, config: dict) -> list[str]:
        """The argv that starts the worker (bwrap wraps this)."""
        return [sys.executable, "-I", "-m", "autograder.worker", "--config", json.dumps(config)]

    def popen_credentials(self) -> dict:
        """``subprocess.Popen`` arguments that drop privileges (bwrap drops them inside instead)."""
        if self.uid is None:
            return {}
        return {"user": self.uid, "group": self.uid, "extra_groups": []}

    def limits(self) -> dict:
        limits = self.setup.spec.limits
        processes = limits.max_processes
        if self.uid is None:
            # Not a dedicated uid: RLIMIT_NPROC counts all of this user's processes.
            processes += sum(1 for name in os.listdir("/proc") if name.isdigit())
        return {
            "memory_bytes": int(limits.memory_mb) << 20,
            "cpu_seconds": int(limits.total_timeout_s) + 5,
            "file_bytes": int(limits.max_file_mb) << 20,
            "processes": processes,
            "open_files": 256,
        }

    def start(self) -> WorkerProcess:
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        output_r, output_w = os.pipe()
        package_parent = str(pathlib.Path(__file__).resolve().parent.parent.parent)
        config = {
            "fd_in": to_worker_r,
            "fd_out": from_worker_w,
            "source_dir": str(self.source_dir),
            "module": self.setup.spec.module,
            "limits": self.limits(),
            "forbidden": list(self.setup.spec.forbidden_imports),
            "student_packages": _allowed_packages(self.setup.spec),
            "own_modules": list(self.setup.spec.import_rule.own_modules),
            "sys_path": [package_parent],
            "handle_base": getattr(self, "handle_base", 0),
        }
        kwargs = self.popen_credentials()
        try:
            popen = subprocess.Popen(
                self.command(config),
                stdin=subprocess.DEVNULL,
                stdout=output_w,
                stderr=output_w,
                pass_fds=(to_worker_r, from_worker_w),
                close_fds=True,
                cwd=str(self.source_dir),
                env=worker_environment(str(self.workdir), self.setup.gpu),
                start_new_session=True,
                **kwargs,
            )
        finally:
            for fd in (to_worker_r, from_worker_w, output_w):
                os.close(fd)
        output = OutputCollector(output_r, int(self.setup.spec.limits.output_kb) << 10)
        return WorkerProcess(popen, to_worker_w, from_worker_r, output, self.uid)

    def cleanup(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)
        if self.uid is not None:
            kill_processes_of_uid(self.uid)
            remove_files_of_uid(self.uid)
        if self.uid_lease is not None:
            self.uid_lease.release()
            self.uid_lease = None


def _allowed_packages(spec: AssignmentSpec) -> list[str] | None:
    """The third-party packages the worker lets the submission import (None: any)."""
    allowed = spec.import_rule.allowed
    return None if allowed is None else sorted(allowed)
