"""What a worker process does to itself before it reads a byte of student code (Linux).

Used by the worker (started cold) and by the zygote's forked workers, in this order:

1. :func:`private_tmp`     a fresh ``/tmp`` (and ``/dev/shm``) of its own, in a new mount and
                           IPC namespace, with the slot's work folder bound back in (needs
                           ``CAP_SYS_ADMIN``: the grader runs as root; skipped otherwise);
2. :func:`drop_privileges` become the dedicated worker uid (no groups, no capabilities left);
3. :func:`no_new_privileges` setuid binaries and file capabilities can never raise them again;
4. :func:`apply_limits`    lower (never raise) the rlimits: memory, CPU, processes, file size, files.

Only the standard library and ``ctypes``: this module runs inside the sandbox.
"""

from __future__ import annotations

import ctypes
import os
import resource

__all__ = ["apply_limits", "can_mount_private_tmp", "drop_privileges", "no_new_privileges", "private_tmp", "python_folders_under_tmp", "set_parent_death_signal"]

_CLONE_NEWNS = 0x00020000
_CLONE_NEWIPC = 0x08000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS = 1, 38
_CAP_SYS_ADMIN = 21

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(_libc.mount(source.encode() if source else None, target.encode(), fstype.encode() if fstype else None,
                       ctypes.c_ulong(flags), data.encode() if data else None), f"mount {target}")


def private_tmp(keep: str | None, size_bytes: int) -> None:
    """Give this process (and its children) a fresh, size-capped ``/tmp`` and ``/dev/shm``.

    ``keep``: a folder that must stay visible at its path although it lies under ``/tmp``
    (the slot's work folder): it is bound back into the fresh ``/tmp``. So is, read-only,
    every folder of this Python installation that lies under ``/tmp`` (a grader installed
    in a virtual environment there: numpy loads submodules such as ``numpy.random``
    lazily, and a student may import scipy after confinement). A new IPC namespace
    leaves no SysV shared memory behind for the next submission.
    """
    _check(_libc.unshare(_CLONE_NEWNS | _CLONE_NEWIPC), "unshare")
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)  # nothing we mount propagates back to the host
    # Opened in the new namespace (a bind source must be a mount of ours), before /tmp is covered.
    binds = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY), True) for path in python_folders_under_tmp()]
    if keep and keep.startswith("/tmp/"):
        binds.append((keep, os.open(keep, os.O_PATH | os.O_DIRECTORY), False))
    try:
        options = f"size={int(size_bytes)},mode=1777"
        _mount("tmpfs", "/tmp", "tmpfs", _MS_NOSUID | _MS_NODEV, options)
        if os.path.isdir("/dev/shm"):
            _mount("tmpfs", "/dev/shm", "tmpfs", _MS_NOSUID | _MS_NODEV, options)
        for path, fd, read_only in binds:
            os.makedirs(path, mode=0o711 if not read_only else 0o755, exist_ok=True)
            _mount(f"/proc/self/fd/{fd}", path, None, _MS_BIND | _MS_REC)
            if read_only:
                _mount(None, path, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
    finally:
        for _, fd, _ in binds:
            os.close(fd)


def python_folders_under_tmp() -> list[str]:
    """The folders of this Python installation (prefixes, ``sys.path``) that lie under ``/tmp``,
    outermost only: ``["/tmp/ci/venv"]`` for a grader installed in ``/tmp/ci/venv``; usually ``[]``."""
    import sys

    candidates = {os.path.realpath(path) for path in (sys.prefix, sys.exec_prefix, sys.base_prefix, *sys.path) if path}
    under_tmp = sorted(path for path in candidates if path.startswith("/tmp/") and os.path.isdir(path))
    outermost: list[str] = []
    for path in under_tmp:
        if not any(path == kept or path.startswith(kept + "/") for kept in outermost):
            outermost.append(path)
    return outermost


def can_mount_private_tmp() -> bool:
    """Whether :func:`private_tmp` can work here: root with ``CAP_SYS_ADMIN`` in its effective set.

    False as a normal user, and as root in a container without that capability (Gradescope's
    and most CI images); the harness then sweeps the worker uid's files between submissions.
    """
    if os.geteuid() != 0:
        return False
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            effective = next(int(line.split()[1], 16) for line in status if line.startswith("CapEff:"))
    except (OSError, StopIteration, ValueError):
        return False
    return bool(effective & (1 << _CAP_SYS_ADMIN))


def drop_privileges(uid: int) -> None:
    """Become ``uid`` (and gid ``uid``) with no supplementary groups; a root process loses every capability."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.geteuid() != uid or os.getegid() != uid:
        raise OSError(f"could not become uid {uid}")


def no_new_privileges() -> None:
    """``PR_SET_NO_NEW_PRIVS``: no ``execve`` can grant privileges again (setuid binaries, file caps)."""
    _check(_libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")


def set_parent_death_signal(signal_number: int) -> None:
    """Receive ``signal_number`` when the parent process ends."""
    _check(_libc.prctl(_PR_SET_PDEATHSIG, signal_number, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")


def apply_limits(limits: dict) -> None:
    """Lower (never raise) this process's rlimits; keys ``memory_bytes``, ``cpu_seconds``,
    ``file_bytes``, ``processes``, ``open_files`` (missing keys are left alone)."""
    pairs = {
        "memory_bytes": resource.RLIMIT_AS,
        "cpu_seconds": resource.RLIMIT_CPU,
        "file_bytes": resource.RLIMIT_FSIZE,
        "processes": resource.RLIMIT_NPROC,
        "open_files": resource.RLIMIT_NOFILE,
    }
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for key, which in pairs.items():
        value = limits.get(key)
        if value is None:
            continue
        soft, hard = resource.getrlimit(which)
        new_hard = value if hard == resource.RLIM_INFINITY else min(value, hard)
        try:
            resource.setrlimit(which, (min(value, new_hard), new_hard))
        except (ValueError, OSError):
            resource.setrlimit(which, (min(value, soft if soft != resource.RLIM_INFINITY else value), hard))
