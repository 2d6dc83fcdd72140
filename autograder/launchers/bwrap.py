"""The ``bwrap`` launcher: the process launcher's workers, inside bubblewrap namespaces.

On top of :class:`~autograder.launchers.process.ProcessLauncher` (a warm zygote per
slot, rlimits set by the worker, clean environment, forbidden-import hook, a uid of
its own, everything it started killed):

- no network, IPC, UTS or PID namespace shared with the host (``--unshare-*``),
  a fresh ``/proc`` that shows only the sandbox's own processes;
- a file system made only of read-only binds of the system directories, the
  Python installation, the virtual environment and the ``autograder`` package:
  the repository around it (``solutions/``, hidden tests, reference code) and
  the harness's scratch files do not exist in the sandbox;
- a fresh, size-capped ``/tmp``; the worker's work dir is the only writable place;
- as root, the slot's zygote runs inside one bubblewrap sandbox per slot, kept for
  the slot's life, with just the capabilities it needs to give each forked worker a
  fresh ``/tmp`` and its uid (``CAP_SYS_ADMIN``, ``CAP_SETUID``, ``CAP_SETGID``,
  ``CAP_KILL``); the worker drops all of them before it reads student code. The
  sandbox binds only the slot folder, in which the current submission's work folder
  is the only one there;
- forbidden packages (``torch`` in a NumPy assignment) masked by an empty tmpfs;
- ``--die-with-parent`` and ``--new-session`` (no terminal injection);
- when the harness runs as root, bwrap runs privileged (no user namespace) and
  the worker drops to its dedicated uid inside the sandbox, so the uid is real on
  the host (``RLIMIT_NPROC``, the kill sweep) and owns nothing but the work dir.
  Without root, bwrap uses a user namespace and every worker is started cold in
  a sandbox of its own.
"""

from __future__ import annotations

import functools
import os
import pathlib
import shutil
import site
import subprocess
import sys
import tempfile

from autograder.errors import SandboxUnavailable
from autograder.launchers.process import ProcessLauncher

__all__ = ["BwrapLauncher", "bwrap_unavailable_reason"]

INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`)"
TMP_SIZE_BYTES = 256 << 20
SYSTEM_DIRS = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


@functools.lru_cache(maxsize=None)
def bwrap_unavailable_reason() -> str | None:
    """``None`` when bubblewrap can create its namespaces here, else what is wrong and what to install."""
    binary = shutil.which("bwrap")
    if binary is None:
        return f"the bwrap sandbox needs bubblewrap, which is not installed: {INSTALL_HINT}"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return "the bwrap sandbox run as root needs setpriv to drop privileges: install util-linux"
    probe = [binary, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "--proc", "/proc", "--dev", "/dev", "true"]
    try:
        completed = subprocess.run(probe, stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not run ({exc})"
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip()[-300:]
        return (f"bubblewrap cannot create namespaces here ({detail}); enable unprivileged user namespaces "
                "(sysctl kernel.unprivileged_userns_clone=1) or run the grader as root, or use --sandbox docker")
    return None


def _python_roots() -> list[pathlib.Path]:
    """Directories the worker's interpreter needs: installation, venv, site-packages."""
    roots = {pathlib.Path(sys.base_prefix).resolve(), pathlib.Path(sys.prefix)}
    executable = pathlib.Path(sys.executable)
    roots.add(executable.parent)
    roots.add(executable.resolve().parent)
    for path in site.getsitepackages():
        roots.add(pathlib.Path(path))
    # Nested roots are covered by their parents (binding both is harmless but slower).
    ordered = sorted(roots, key=lambda p: len(p.parts))
    kept: list[pathlib.Path] = []
    for root in ordered:
        if root.exists() and not any(root == k or k in root.parents for k in kept):
            kept.append(root)
    return kept


class BwrapLauncher(ProcessLauncher):
    """Workers inside bubblewrap: forked by a zygote in the slot's sandbox (root), else one sandbox each."""

    name = "bwrap"
    ZYGOTE_CAPABILITIES = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_KILL")

    @staticmethod
    def check_available() -> None:
        reason = bwrap_unavailable_reason()
        if reason:
            raise SandboxUnavailable(reason)

    def _wants_dedicated_uid(self) -> bool:
        # Inside the sandbox every bound path is reachable, so a dedicated uid always works as root.
        return os.geteuid() == 0

    def zygote_supported(self) -> bool:
        # The zygote needs to keep a few capabilities inside the sandbox: only privileged bwrap can.
        return os.geteuid() == 0

    def bwrap_arguments(self, writable: pathlib.Path, chdir: pathlib.Path) -> list[str]:
        """Namespaces and the file system the worker sees: ``writable`` is the only writable folder."""
        args = ["bwrap", "--die-with-parent", "--new-session"]
        if os.geteuid() == 0:
            args += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
        else:
            args += ["--unshare-all"]  # includes a user namespace: unprivileged bwrap
        for directory in SYSTEM_DIRS:
            path = pathlib.Path(directory)
            if path.is_symlink():
                args += ["--symlink", os.readlink(path), directory]
            elif path.is_dir():
                args += ["--ro-bind", directory, directory]
        args += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_SIZE_BYTES), "--tmpfs", "/tmp"]
        package = pathlib.Path(__file__).resolve().parent.parent
        binds = [*_python_roots(), package]
        # bwrap would create the parents of a bind target with the host's modes (/root is 0700):
        # create them first, traversable, so the worker's uid reaches what is bound below them.
        parents = sorted({parent for root in [*binds, writable] for parent in root.parents if parent != pathlib.Path("/")},
                         key=lambda path: len(path.parts))
        for parent in parents:
            if str(parent) not in SYSTEM_DIRS and str(parent) != "/tmp" and not any(parent == b or b in parent.parents for b in binds):
                args += ["--perms", "0755", "--dir", str(parent)]
        for root in binds:
            args += ["--ro-bind", str(root), str(root)]
        for name in self.spec.forbidden_imports:
            for site_dir in site.getsitepackages():
                masked = pathlib.Path(site_dir) / name
                if masked.is_dir():
                    # An empty dir would import as a namespace package: put a raising __init__.py in it.
                    args += ["--tmpfs", str(masked), "--ro-bind", str(self._forbidden_stub(name)), str(masked / "__init__.py")]
        if self.setup.gpu:
            for device in sorted(pathlib.Path("/dev").glob("nvidia*")):
                args += ["--dev-bind", str(device), str(device)]
        args += ["--bind", str(writable), str(writable), "--chdir", str(chdir)]
        return args

    def _forbidden_stub(self, name: str) -> pathlib.Path:
        """A read-only ``__init__.py`` that refuses the import of a forbidden package."""
        if not hasattr(self, "stub_dir"):
            self.stub_dir = pathlib.Path(tempfile.mkdtemp(prefix="ag-bwrap-stubs-"))
            os.chmod(self.stub_dir, 0o755)
        stub = self.stub_dir / f"{name}.py"
        stub.write_text(f"raise ImportError({f'import of {name!r} is forbidden in this assignment (not installed in the sandbox)'!r})\n")
        os.chmod(stub, 0o644)
        return stub

    def close(self) -> None:
        super().close()
        if hasattr(self, "stub_dir"):
            shutil.rmtree(self.stub_dir, ignore_errors=True)

    def confine(self, inner: list[str], workdir: pathlib.Path | None = None, chdir: pathlib.Path | None = None) -> list[str]:
        """The argv that runs ``inner`` inside a sandbox of its own (only ``workdir`` writable, starting in
        ``chdir``), as the worker's uid when there is one."""
        workdir = workdir or self.slot_dir
        return [*self.bwrap_arguments(workdir, chdir or workdir), "--", *super().confine(inner, workdir, chdir)]

    def zygote_command(self, config: dict) -> list[str]:
        capabilities = [arg for capability in self.ZYGOTE_CAPABILITIES for arg in ("--cap-add", capability)]
        return [*self.bwrap_arguments(self.slot_dir, self.slot_dir), *capabilities, "--", *super().zygote_command(config)]
