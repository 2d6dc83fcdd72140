"""Leases on the dedicated worker uids, so that graders running side by side never share one.

When grading as root, every worker runs as a uid of its own (61000 + k) and the
harness cleans up after it by uid: it kills every process of that uid and removes
its files. That is only safe if no other worker uses the uid at the same time, and
two graders on one machine (two instructors, two CI jobs, ``validate`` beside
``grade``) both start at slot 0. So a harness *leases* its uid: it holds an
exclusive ``flock`` on ``<lock dir>/<uid>.lock`` for as long as it lives, trying
61000 + slot first and then the next ones (62000 + slot in grading containers, so that
host graders never sweep a container's worker). The kernel releases the lock when the
harness dies, however it dies. A fresh lease first sweeps what an earlier holder
may have left (processes, files).

The lock folder must be writable by root only (a worker must not be able to
pre-create lock files): ``/run/autograder-uids`` where ``/run`` is writable, else
``/tmp/autograder-uids`` (0700; inside a container that is its private ``/tmp``).
"""

from __future__ import annotations

import fcntl
import os
import pathlib
import stat
import tempfile

__all__ = ["CONTAINER_WORKER_UID_BASE", "UID_RANGE", "WORKER_UID_BASE", "UidLease", "lease_worker_uid", "worker_uid_base"]

WORKER_UID_BASE = 61000
UID_RANGE = 1000  # 61000 ... 61999
# Grading containers use another range (set with --env by the docker sandboxes): a grader on the
# host sweeps its uid across the host's whole /proc, which shows the containers' processes too.
CONTAINER_WORKER_UID_BASE = 62000
UID_BASE_VARIABLE = "AG_WORKER_UID_BASE"


def worker_uid_base() -> int:
    """``$AG_WORKER_UID_BASE`` if set (inside grading containers), else 61000."""
    value = os.environ.get(UID_BASE_VARIABLE, "")
    return int(value) if value.isdigit() and 1000 <= int(value) < 2**31 - UID_RANGE else WORKER_UID_BASE


class UidLease:
    """A held lease: ``uid`` is this harness's alone until :meth:`release` or the process ends."""

    def __init__(self, uid: int, fd: int | None):
        self.uid = uid
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _private_folder(path: pathlib.Path) -> bool:
    """Create ``path`` (0700) if needed; True if it is a real folder owned by us and closed to others."""
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o077


def lock_folder() -> pathlib.Path | None:
    """Where the uid locks live on this machine (None: nowhere safe, which the caller reports)."""
    # Shared by every grader on the machine, so not $TMPDIR first (a grader run points it at its own folder).
    for candidate in (pathlib.Path("/run/autograder-uids"), pathlib.Path("/tmp/autograder-uids"),
                      pathlib.Path(tempfile.gettempdir()) / "autograder-uids"):
        if _private_folder(candidate):
            return candidate
    return None


def lease_worker_uid(slot: int, folder: pathlib.Path | None = None) -> UidLease:
    """Lease the first free uid from ``61000 + slot`` on; raises ``OSError`` when all are taken."""
    folder = folder if folder is not None else lock_folder()
    if folder is None:
        raise OSError("no private folder for the worker uid locks (/run and the temporary directory are not usable)")
    for offset in range(UID_RANGE):
        uid = worker_uid_base() + (slot + offset) % UID_RANGE
        fd = os.open(folder / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        return UidLease(uid, fd)
    raise OSError(f"all {UID_RANGE} worker uids are leased by running graders")
