"""The ``process`` launcher: workers as plain processes, forked by a warm zygote, confined by rlimits and a uid.

One :class:`ProcessLauncher` serves one job slot of a harness for its whole life:

- as root, it leases the slot a dedicated worker uid (:mod:`.worker_uid`) and keeps a
  slot folder (0711) under which each submission gets a fresh work folder (0700, owned
  by that uid);
- it starts the slot's zygote (:mod:`autograder.zygote`) once, with the allowed
  packages imported; every worker is forked from it and, before reading student
  code, takes a fresh ``/tmp`` of its own (as root), drops to the uid, forbids new
  privileges and lowers its rlimits (:mod:`autograder.confinement`);
- a clean environment: no inherited secrets, BLAS/OpenMP threads pinned to 1;
- forbidden imports, and third-party packages outside the assignment's
  ``student_packages``, refused by an audit hook (:mod:`autograder.student_imports`).

Per submission, :meth:`ProcessLauncher.open` gives a :class:`WorkerSession`: its
work folder holds a copy of the submission; ``start()`` forks a worker (again after a
timeout kill); ``close()`` kills every process of the uid and everything below the
zygote, and removes the folder and the uid's files. So nothing one submission leaves
(processes, files, ``/tmp``) is there for the next.

It does not hide the file system or the network: use ``bwrap`` or ``docker`` for that.
Without a zygote (``cold=True``, or where a subclass cannot use one) each worker is
started as a new ``python -I -m autograder.worker`` process instead.
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
import uuid

from autograder.errors import GraderFault
from autograder.launchers.worker_handle import ColdWorker, OutputCollector, WorkerHandle, kill_processes_of_uid
from autograder.launchers.worker_uid import UidLease, lease_worker_uid
from autograder.launchers.zygote_client import ZygoteClient
from autograder.spec import AssignmentSpec

__all__ = ["ProcessLauncher", "WorkerSession", "WorkerSetup", "remove_files_of_uid", "worker_environment"]

PACKAGE_PARENT = str(pathlib.Path(__file__).resolve().parent.parent.parent)
PRIVATE_TMP_BYTES = 256 << 20
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS")


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
    for name in THREAD_VARIABLES:
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
    """What a launcher needs to know for its slot: the assignment, GPU or not, the slot number."""

    def __init__(self, spec: AssignmentSpec, gpu: bool = False, slot: int = 0):
        self.spec = spec
        self.gpu = gpu
        self.slot = slot


def allowed_packages(spec: AssignmentSpec) -> list[str] | None:
    """The third-party packages the worker lets the submission import (None: any)."""
    allowed = spec.import_rule.allowed
    return None if allowed is None else sorted(allowed)


def preloaded_packages(spec: AssignmentSpec) -> list[str]:
    """What the zygote imports before any fork: numpy, plus the assignment's student packages
    that are worth a fork (torch costs a second per import; scipy's top level is light)."""
    wanted = ["numpy"] + [name for name in spec.student_packages or () if name in ("scipy", "torch", "sklearn")]
    return list(dict.fromkeys(wanted))


class ProcessLauncher:
    """Starts confined workers for one job slot (see the module docstring)."""

    name = "process"

    def __init__(self, setup: WorkerSetup, *, cold: bool = False):
        self.setup = setup
        self.spec = setup.spec
        self.uid_lease: UidLease | None = None
        self.uid = self._lease_uid() if self._wants_dedicated_uid() else None
        self.slot_dir = pathlib.Path(tempfile.mkdtemp(prefix=f"ag-slot{setup.slot}-", dir=_work_base() if self.uid is not None else None))
        os.chmod(self.slot_dir, 0o711)
        self.warnings: list[str] = []
        if os.geteuid() == 0 and self.uid is None:
            self.warnings.append(
                "the worker runs as root: the Python interpreter or its packages are not readable by other users "
                "(install into a world-readable location, or use --sandbox bwrap/docker)"
            )
        self.cold = cold or not self.zygote_supported()
        self._zygote: ZygoteClient | None = None

    # ------------------------------------------------------------------ identity

    def _wants_dedicated_uid(self) -> bool:
        """As root, when the interpreter and its packages are readable by another uid."""
        if os.geteuid() != 0:
            return False
        import numpy

        needed = [pathlib.Path(sys.executable), pathlib.Path(os.__file__).parent, pathlib.Path(numpy.__file__).parent, pathlib.Path(__file__).resolve().parent.parent]
        return all(_readable_by_others(p) for p in needed)

    def _lease_uid(self) -> int:
        """A worker uid no other running harness uses (:mod:`.worker_uid`), swept clean."""
        try:
            self.uid_lease = lease_worker_uid(self.setup.slot)
        except OSError as exc:
            raise GraderFault(f"no worker uid could be leased: {exc}") from exc
        uid = self.uid_lease.uid
        kill_processes_of_uid(uid)  # whatever an earlier holder that died left behind
        remove_files_of_uid(uid)
        return uid

    @property
    def private_tmp(self) -> bool:
        """Whether each worker mounts a fresh /tmp of its own (needs root's CAP_SYS_ADMIN, which a
        container such as Gradescope's may not grant: then the uid's files are swept instead)."""
        from autograder.confinement import can_mount_private_tmp

        return can_mount_private_tmp()

    def zygote_supported(self) -> bool:
        return True

    # ------------------------------------------------------------------ how workers are started

    def python(self) -> str:
        """The interpreter of the workers."""
        return sys.executable

    def confine(self, inner: list[str], workdir: pathlib.Path | None = None, chdir: pathlib.Path | None = None) -> list[str]:
        """The argv that runs ``inner`` as the worker uid, for a process this launcher does not fork
        itself (a cold worker, a notebook kernel started by jupyter_client): ``setpriv`` drops to the uid."""
        if self.uid is None:
            return list(inner)
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--", *inner]

    def module_command(self, module: str, config: dict) -> list[str]:
        """``python -I`` running ``module.main()`` of THIS copy of the grader (``-m`` would import whichever
        copy the interpreter's site-packages point at), with ``--config``."""
        bootstrap = f"import sys; sys.path.insert(0, {PACKAGE_PARENT!r}); from {module} import main; main()"
        return [self.python(), "-I", "-c", bootstrap, "--config", json.dumps(config)]

    def zygote_command(self, config: dict) -> list[str]:
        """The zygote's argv (bwrap wraps it)."""
        return self.module_command("autograder.zygote", config)

    def zygote_popen_kwargs(self) -> dict:
        return {}

    def limits(self) -> dict:
        limits = self.spec.limits
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

    def zygote(self) -> ZygoteClient:
        """The slot's zygote, started on first use (and again if it died)."""
        if self._zygote is not None and not self._zygote.alive:
            self._zygote.close()
            self._zygote = None
        if self._zygote is None:
            settings = {"sys_path": [PACKAGE_PARENT], "preload": preloaded_packages(self.spec), "parent_death_signal": True}
            self._zygote = ZygoteClient(self.zygote_command, settings=settings, env=worker_environment(str(self.slot_dir), self.setup.gpu),
                                        cwd=str(self.slot_dir), popen_kwargs=self.zygote_popen_kwargs())
        return self._zygote

    def warm_up(self) -> None:
        """Start the zygote now (the harness calls this before importing its own heavy modules)."""
        if not self.cold:
            self.zygote()

    def forked(self) -> None:
        """Called by the harness right after it forked a submission's child (in the harness, not the
        child): whatever was prepared for one submission is the child's now. Nothing here; the
        docker launcher hands its spare container over and starts the next."""

    def worker_config(self, session: "WorkerSession", handle_base: int) -> dict:
        return {
            "source_dir": str(session.source_dir),
            "module": self.spec.module,
            "limits": self.limits(),
            "forbidden": list(self.spec.forbidden_imports),
            "student_packages": allowed_packages(self.spec),
            "own_modules": list(self.spec.import_rule.own_modules),
            "tensors": self.spec.tensors,
            "handle_base": handle_base,
            "uid": self.uid,
            "private_tmp": self.private_tmp,
            "work_root": str(self.slot_dir),
            "tmp_bytes": PRIVATE_TMP_BYTES,
            "env": worker_environment(str(session.workdir), self.setup.gpu),
            "gpu": self.setup.gpu,
            "sys_path": [PACKAGE_PARENT],
        }

    def start_worker(self, session: "WorkerSession", handle_base: int) -> WorkerHandle:
        config = self.worker_config(session, handle_base)
        output_limit = int(self.spec.limits.output_kb) << 10
        if not self.cold:
            return self.zygote().spawn(config, output_limit)
        return self._start_cold(session, config, output_limit)

    def _start_cold(self, session: "WorkerSession", config: dict, output_limit: int) -> WorkerHandle:
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        output_r, output_w = os.pipe()
        config = {**config, "fd_in": to_worker_r, "fd_out": from_worker_w}
        command = self.confine(self.module_command("autograder.worker", config), session.workdir, session.source_dir)
        try:
            popen = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output_w, stderr=output_w,
                                     pass_fds=(to_worker_r, from_worker_w), close_fds=True, cwd=str(session.source_dir),
                                     env=config["env"], start_new_session=True)
        except OSError as exc:
            for fd in (to_worker_w, from_worker_r, output_r):
                os.close(fd)
            raise GraderFault(f"the worker could not be started: {exc}") from exc
        finally:
            for fd in (to_worker_r, from_worker_w, output_w):
                os.close(fd)
        return ColdWorker(popen, to_worker_w, from_worker_r, OutputCollector(output_r, output_limit), self.uid)

    # ------------------------------------------------------------------ per submission

    def open(self, source_dir: pathlib.Path) -> "WorkerSession":
        """A fresh work folder holding a copy of ``source_dir``, for one submission's workers."""
        return WorkerSession(self, pathlib.Path(source_dir))

    def sweep(self) -> None:
        """Kill every process of the slot's worker uid and below the zygote; remove the uid's files."""
        if self.uid is not None:
            kill_processes_of_uid(self.uid)
            remove_files_of_uid(self.uid)
        if self._zygote is not None and self._zygote.alive:
            try:
                self._zygote.sweep()
            except GraderFault:
                self._zygote.close()
                self._zygote = None

    def close(self) -> None:
        """Stop the zygote, remove the slot folder, give the uid back."""
        self.sweep()
        if self._zygote is not None:
            self._zygote.close()
            self._zygote = None
        shutil.rmtree(self.slot_dir, ignore_errors=True)
        if self.uid_lease is not None:
            self.uid_lease.release()
            self.uid_lease = None


class WorkerSession:
    """One submission's work folder (``workdir/src`` holds its files) and the workers started for it."""

    def __init__(self, launcher: ProcessLauncher, source_dir: pathlib.Path):
        self.launcher = launcher
        self.uid = launcher.uid
        self.warnings = list(launcher.warnings)
        self.workdir = launcher.slot_dir / f"w-{uuid.uuid4().hex[:12]}"
        self.workdir.mkdir(mode=0o700)
        self.source_dir = self.workdir / "src"
        shutil.copytree(source_dir, self.source_dir, symlinks=False)
        if self.uid is not None:
            for path in [self.workdir, *self.workdir.rglob("*")]:
                os.chown(path, self.uid, self.uid, follow_symlinks=False)
        os.chmod(self.workdir, 0o700)

    @property
    def gpu(self) -> bool:
        return self.launcher.setup.gpu

    def start(self, handle_base: int = 0) -> WorkerHandle:
        return self.launcher.start_worker(self, handle_base)

    def confine(self, inner: list[str]) -> list[str]:
        return self.launcher.confine(inner, self.workdir, self.source_dir)

    def close(self) -> None:
        self.launcher.sweep()
        shutil.rmtree(self.workdir, ignore_errors=True)
