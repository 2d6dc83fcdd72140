"""One scratch folder per grader run, so that a killed grader leaves nothing behind for long.

Everything a ``grade`` or ``validate`` run writes to temporary storage (submission
bundles, harness scratch, worker work dirs, container mounts) goes under one folder,
``$TMPDIR/autograder-run-<pid>-<random>/``:

- on a normal exit (or Ctrl-C) the folder is removed;
- a run killed with SIGKILL cannot clean up, so every later run first sweeps the
  folders of runs that are no longer alive. "Alive" is an advisory ``flock`` that the
  run holds on ``<folder>/.lock`` for its whole life: the kernel drops it when the
  process dies, however it dies, and pid reuse cannot fool it.

The folder is mode 0711, so a worker's dedicated uid can reach its own work dir
inside it but cannot list the others.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import pathlib
import shutil
import tempfile

__all__ = ["PREFIX", "enter_run_scratch", "sweep_stale_scratch"]

PREFIX = "autograder-run-"
_LOCK_NAME = ".lock"
_current: pathlib.Path | None = None
_lock_fd: int | None = None
_previous_tmpdir: str | None = None


def sweep_stale_scratch(base: str | os.PathLike | None = None) -> list[pathlib.Path]:
    """Remove the scratch folders (ours, by owner) of grader runs that have died; return them."""
    base_path = pathlib.Path(base or tempfile.gettempdir())
    removed = []
    try:
        entries = list(os.scandir(base_path))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(PREFIX) or (_current is not None and entry.path == str(_current)):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != os.geteuid():
                continue
            lock_fd = os.open(os.path.join(entry.path, _LOCK_NAME), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue  # no lock file yet (a run still starting) or gone meanwhile
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # its run is alive
        finally:
            os.close(lock_fd)
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(pathlib.Path(entry.path))
    return removed


def enter_run_scratch() -> pathlib.Path:
    """Sweep dead runs' folders, make this run's folder and point ``tempfile`` and ``$TMPDIR`` at it.

    Subprocesses (harnesses) inherit ``$TMPDIR``, so their temporary files land there too.
    Idempotent within a process.
    """
    global _current, _lock_fd, _previous_tmpdir
    if _current is not None:
        return _current
    _previous_tmpdir = os.environ.get("TMPDIR")
    base = tempfile.gettempdir()
    sweep_stale_scratch(base)
    folder = pathlib.Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base))
    folder.chmod(0o711)
    _lock_fd = os.open(folder / _LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    fcntl.flock(_lock_fd, fcntl.LOCK_EX)
    _current = folder
    tempfile.tempdir = str(folder)
    os.environ["TMPDIR"] = str(folder)
    atexit.register(_leave_run_scratch)
    return folder


def _leave_run_scratch() -> None:
    global _current, _lock_fd
    if _current is None:
        return
    shutil.rmtree(_current, ignore_errors=True)
    if _lock_fd is not None:
        os.close(_lock_fd)
    tempfile.tempdir = None
    if os.environ.get("TMPDIR") == str(_current):
        if _previous_tmpdir is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = _previous_tmpdir
    _current = _lock_fd = None
