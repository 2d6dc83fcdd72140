"""Execution mode: run a whole notebook in a confined kernel and pull named values out of it.

For assignments that need the notebook *run* (an experiment whose results are
graded), not only its definitions read (:mod:`autograder.notebook_code`)::

    run = run_notebook("submission.ipynb", timeout_per_cell=60, total_timeout=600,
                       pull=["train_losses", "best_lr"])
    run.values["train_losses"]          # a NumPy array, decoded in this process

How it runs, in order:

1. read the notebook as intake does (v3 upgraded; anything unreadable is an
   :class:`~autograder.intake.IntakeError`); outputs stored in the file are dropped;
   shell escapes and ``%pip``-style magics are blanked (a convenience that keeps
   runs offline and fast, not a security measure);
2. start a real ipykernel through nbclient, with a clean environment (nothing
   inherited; BLAS threads pinned; ``MPLBACKEND=Agg``), in a fresh working
   directory, inside a wrapper that lowers its rlimits (address space, CPU time,
   file size, core dumps) before ipykernel starts; its own process group;
3. run the cells one by one: each under ``timeout_per_cell`` (the kernel is
   interrupted and the cell recorded as timed out), the whole under
   ``total_timeout`` (a watchdog kills the kernel's process group); errors are
   recorded per cell and the run goes on; outputs are capped in memory;
4. pull the requested names through the worker's value-only codec
   (:mod:`autograder.protocol`: numbers, strings, arrays, lists/tuples/dicts of
   those; never pickle): the kernel encodes them into a frame file, this process
   reads it size-capped and without following links, and decodes it.

With ``sandbox="process"`` the kernel is as confined as the ``process``
sandbox's worker (rlimits, clean environment, the leased worker uid via
``setpriv`` when run as root). With ``sandbox="bwrap"`` it runs
inside bubblewrap exactly as a ``bwrap`` worker does (no network, read-only
system, only its work dir writable, forbidden packages masked, the leased worker
uid when run as root), and nbclient talks to it over ZeroMQ Unix sockets in
that work dir.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

__all__ = ["CellProblem", "NotebookRun", "run_notebook"]

KERNEL_NAME = "autograder-confined"
DEFAULT_OUTPUT_BYTES = 1 << 20
DEFAULT_PULL_BYTES = 256 << 20
_BLANKED_LINE = re.compile(r"^\s*(!|%(pip|conda|sx|system|sc|bash|sh|script)\b|[\w, ]+=\s*!)")
_BLANKED_CELL = re.compile(r"^\s*%%(bash|sh|script|system|sx)\b")


@dataclasses.dataclass
class CellProblem:
    """A cell that raised, timed out, or was cut off by the total timeout."""

    cell: int          # 1-based among all cells, as a student counts them
    kind: str          # error | timeout | not_run
    message: str


@dataclasses.dataclass
class NotebookRun:
    """What running a notebook produced: the pulled values and what went wrong."""

    values: dict
    missing: dict[str, str]           # name -> why it could not be pulled
    problems: list[CellProblem]
    timed_out: bool
    kernel_died: bool
    output_truncated: bool
    duration: float
    notebook: object = dataclasses.field(repr=False, default=None)  # the executed NotebookNode (outputs capped)
    kernel_uid: int | None = None     # the worker uid the kernel ran as (when run as root), else None


def _kernel_wrapper_main(argv: list[str]) -> None:
    """``python -m autograder.notebook_run kernel LIMITS_JSON -f CONNECTION``: lower rlimits, then be an ipykernel."""
    from autograder.confinement import apply_limits

    limits = json.loads(argv[0])
    apply_limits(limits)
    if os.getppid() == 1:
        # In bwrap's PID namespace our parent is its init, never the client: ipykernel's parent
        # poller would see a stranger and shut down. bwrap --die-with-parent does that job.
        os.environ.pop("JPY_PARENT_PID", None)
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=argv[1:])


def _write_kernelspec(directory: pathlib.Path, limits: dict, confine=None) -> None:
    """A kernelspec whose kernel lowers its rlimits first; ``confine(argv)`` wraps it (bwrap)."""
    spec_dir = directory / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-m", "autograder.notebook_run", "kernel", json.dumps(limits), "-f", "{connection_file}"]
    spec = {
        "argv": confine(argv) if confine else argv,
        "display_name": "Python 3 (autograder, confined)",
        "language": "python",
        # Interrupts as messages on the control channel: a signal to the launcher's process group
        # would not reach a kernel inside bwrap (its own session), a message always does.
        "interrupt_mode": "message",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")


def _kernel_environment(home: pathlib.Path) -> dict[str, str]:
    from autograder.launchers import worker_environment

    env = worker_environment(str(home), gpu=False)
    mpl_config = _matplotlib_config(home / ".config" / "matplotlib")
    if mpl_config is not None:
        env["MPLCONFIGDIR"] = str(mpl_config)
    env["PYTHONPATH"] = str(pathlib.Path(__file__).resolve().parent.parent)  # the codec used to pull values
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    return env


_MATPLOTLIB_CACHE: list[pathlib.Path] = []


def _matplotlib_config(target: pathlib.Path) -> pathlib.Path | None:
    """A matplotlib config dir with a prebuilt font cache (a fresh one costs seconds per run), or None."""
    if not _MATPLOTLIB_CACHE:
        import importlib.util

        if importlib.util.find_spec("matplotlib") is None:
            return None
        cache = pathlib.Path(tempfile.mkdtemp(prefix="ag-mplcache-"))
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env={**os.environ, "MPLCONFIGDIR": str(cache), "MPLBACKEND": "Agg"},
                       capture_output=True, timeout=120, check=False)
        _MATPLOTLIB_CACHE.append(cache)
    shutil.copytree(_MATPLOTLIB_CACHE[0], target, symlinks=False)
    return target


def _blank_shell(source: str) -> str:
    """Shell escapes and package-manager magics -> ``pass`` lines (same line numbers)."""
    if _BLANKED_CELL.match(source):
        return "pass  # shell cell not run by the autograder"
    lines = source.split("\n")
    for index, line in enumerate(lines):
        if _BLANKED_LINE.match(line):
            indent = line[: len(line) - len(line.lstrip())]
            lines[index] = f"{indent}pass  # shell escape not run by the autograder"
    return "\n".join(lines)


def _pull_code(names: list[str], path: str) -> str:
    """The cell that encodes ``names`` from the kernel's globals into a frame file at ``path``."""
    return f'''
def __autograder_pull(names={names!r}, path={path!r}):
    import os
    from autograder.protocol import Encoder, write_frame
    namespace = globals()
    encoder = Encoder()
    values, missing = {{}}, {{}}
    for name in names:
        if name not in namespace:
            missing[name] = "not defined by the notebook"
            continue
        try:
            values[name] = encoder.encode(namespace[name])
        except (TypeError, ValueError) as exc:
            missing[name] = f"a {{type(namespace[name]).__name__}} is not a value that can be graded ({{exc}})"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        write_frame(fd, {{"values": values, "missing": missing}}, encoder.blobs)
    finally:
        os.close(fd)
__autograder_pull()
del __autograder_pull
'''


def _read_pulled(path: pathlib.Path, max_bytes: int) -> tuple[dict, dict[str, str]]:
    """Decode the frame file the kernel wrote: regular file only, size-capped, values only."""
    from autograder.protocol import Decoder, ProtocolError, read_frame

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return {}, {"*": "the notebook's values could not be read back (the pull step did not run)"}
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return {}, {"*": "the pulled values are not a regular file or exceed the size limit"}
        msg, blobs = read_frame(fd, max_bytes=max_bytes)
    except (ProtocolError, EOFError, OSError) as exc:
        return {}, {"*": f"the pulled values are malformed ({exc})"}
    finally:
        os.close(fd)
    decoder = Decoder(blobs)
    values, missing = {}, {}
    raw_values = msg.get("values") if isinstance(msg.get("values"), dict) else {}
    for name, tree in raw_values.items():
        try:
            values[str(name)] = decoder.decode(tree)
        except ProtocolError as exc:
            missing[str(name)] = f"not a value that can be graded ({exc})"
    raw_missing = msg.get("missing") if isinstance(msg.get("missing"), dict) else {}
    missing.update({str(k): str(v)[:300] for k, v in raw_missing.items()})
    return values, missing


def _kernel_manager_class():
    from jupyter_client import AsyncKernelManager

    class ConfinedKernelManager(AsyncKernelManager):
        """Hands its connection file to the kernel's uid (a bwrap kernel runs as the worker uid)."""

        kernel_uid: int | None = None

        def write_connection_file(self, **kwargs) -> None:
            super().write_connection_file(**kwargs)
            if self.kernel_uid is not None:
                os.chown(self.connection_file, self.kernel_uid, self.kernel_uid)

    return ConfinedKernelManager


def _kernel_launcher(sandbox: str, files: list, forbidden_imports, memory_mb: int, total_timeout: float, scratch: pathlib.Path):
    """A worker session (its launcher started cold) that confines the kernel; its work dir holds ``files``.

    ``process``: the worker uid (leased) when run as root and the interpreter is readable by it;
    ``bwrap``: also no network, read-only system, only the work dir writable, forbidden packages masked.
    The kernel is started by jupyter_client through ``session.confine(argv)``; ``session.close()``
    kills what is left and removes the work dir; the launcher is closed with it.
    """
    from autograder.launchers import BwrapLauncher, WorkerSetup, make_launcher
    from autograder.spec import AssignmentSpec, Limits

    source = scratch / "files"
    source.mkdir()
    for extra in files:
        shutil.copy2(extra, source / pathlib.Path(extra).name, follow_symlinks=False)
    if sandbox == "bwrap":
        BwrapLauncher.check_available()
    spec = AssignmentSpec(id="notebook", title="notebook run", module="notebook", version="0", tasks=(),
                          limits=Limits(memory_mb=int(memory_mb), total_timeout_s=float(total_timeout)),
                          forbidden_imports=tuple(forbidden_imports), root=scratch)
    launcher = make_launcher(sandbox, WorkerSetup(spec), cold=True)
    session = launcher.open(source)
    session.close_launcher = launcher.close
    return session


def _give_to(uid: int | None, root: pathlib.Path) -> None:
    if uid is None:
        return
    for path in [root, *root.rglob("*")]:
        os.chown(path, uid, uid, follow_symlinks=False)


def _capped_client_class():
    from nbclient import NotebookClient

    class CappedNotebookClient(NotebookClient):
        """A NotebookClient that stops keeping outputs past ``output_limit`` bytes in all."""

        output_limit = DEFAULT_OUTPUT_BYTES
        output_bytes = 0
        output_truncated = False

        def output(self, outs, msg, display_id, cell_index):
            size = len(json.dumps(msg.get("content", {}), default=str))
            if self.output_bytes + size > self.output_limit:
                if not self.output_truncated:
                    self.output_truncated = True
                    outs.append(_truncation_note())
                return None
            self.output_bytes += size
            return super().output(outs, msg, display_id, cell_index)

    return CappedNotebookClient


def _truncation_note():
    import nbformat

    return nbformat.v4.new_output("stream", name="stderr", text="[output truncated by the autograder]\n")


def _error_message(cell) -> str | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename', 'Error')}: {str(output.get('evalue', ''))[:500]}"
    return None


def run_notebook(
    path: str | os.PathLike,
    *,
    timeout_per_cell: float = 60,
    total_timeout: float = 600,
    pull: list[str] | tuple[str, ...] = (),
    memory_mb: int = 4096,
    output_limit_bytes: int = DEFAULT_OUTPUT_BYTES,
    pull_limit_bytes: int = DEFAULT_PULL_BYTES,
    files: list[str | os.PathLike] = (),
    allow_shell: bool = False,
    sandbox: str = "process",
    forbidden_imports: list[str] | tuple[str, ...] = (),
) -> NotebookRun:
    """Run the notebook at ``path`` top to bottom in a confined kernel; return the values named in ``pull``.

    ``files`` are copied into the kernel's fresh working directory (data the
    notebook reads). ``sandbox``: ``process`` (rlimits and a clean environment)
    or ``bwrap`` (the kernel inside bubblewrap like a worker: no network, only
    its work dir writable, the worker uid when run as root; the client talks to
    it over Unix sockets in that work dir). Raises
    :class:`~autograder.intake.IntakeError` for a file that is not a readable
    notebook, :class:`~autograder.sandbox.SandboxUnavailable` when bwrap cannot
    run; everything that happens while it runs is reported in the returned
    :class:`NotebookRun`.
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from autograder.intake import MAX_NOTEBOOK_BYTES, IntakeError
    from autograder.notebook_code import read_notebook

    path = pathlib.Path(path)
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise IntakeError(f"{path.name} is larger than {MAX_NOTEBOOK_BYTES >> 20} MiB")
    notebook = read_notebook(path.read_bytes(), path.name)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            if not allow_shell:
                cell.source = _blank_shell(cell.source)

    if sandbox not in ("process", "bwrap"):
        raise ValueError(f"unknown notebook sandbox {sandbox!r}: process or bwrap")
    started = time.monotonic()
    deadline = started + total_timeout
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="ag-nbrun-"))
    kernels = scratch / "kernels"
    limits = {"memory_bytes": int(memory_mb) << 20, "cpu_seconds": int(total_timeout) + 5, "file_bytes": 64 << 20}
    try:
        launcher = _kernel_launcher(sandbox, list(files), forbidden_imports, memory_mb, total_timeout, scratch)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    workdir, home = launcher.source_dir, launcher.workdir
    _write_kernelspec(kernels, limits, confine=launcher.confine)
    pull_path = workdir / f".ag-pull-{secrets.token_hex(8)}.frame"
    kernel_env = _kernel_environment(home)
    _give_to(launcher.uid, home)

    from jupyter_client.kernelspec import KernelSpecManager

    kernel_manager = _kernel_manager_class()(kernel_name=KERNEL_NAME, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    kernel_manager.connection_file = str(home / "kernel-connection.json")
    kernel_manager.kernel_uid = launcher.uid
    if sandbox == "bwrap":
        # No network in the sandbox: ZeroMQ over Unix sockets in the kernel's work dir.
        kernel_manager.transport = "ipc"
        kernel_manager.ip = str(home / "kernel-ipc")
    client = _capped_client_class()(
        notebook, km=kernel_manager, kernel_name=KERNEL_NAME, allow_errors=True, interrupt_on_timeout=True,
        error_on_timeout={"ename": "CellTimeoutError", "evalue": "the cell ran past its time limit", "traceback": []},
        timeout=int(max(1, timeout_per_cell)), startup_timeout=60, record_timing=False,
    )
    client.output_limit = output_limit_bytes
    problems: list[CellProblem] = []
    values: dict = {}
    missing: dict[str, str] = {}
    timed_out = kernel_died = False
    expired = threading.Event()

    def kill_kernel_group() -> None:
        expired.set()
        pgid = getattr(kernel_manager.provisioner, "pgid", None) if kernel_manager.provisioner else None
        if pgid:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except OSError:
                pass

    watchdog = threading.Timer(max(0.1, deadline - time.monotonic()), kill_kernel_group)
    try:
        with client.setup_kernel(env=kernel_env, cwd=str(workdir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            watchdog.start()
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 1 or expired.is_set():
                    timed_out = True
                    problems.append(CellProblem(index + 1, "not_run", "the notebook ran past its total time limit"))
                    break
                client.timeout = int(max(1, min(timeout_per_cell, remaining)))
                cell_started = time.monotonic()
                try:
                    client.execute_cell(cell, index)
                except (DeadKernelError, CellTimeoutError) as exc:
                    kernel_died = True
                    timed_out = timed_out or expired.is_set()
                    problems.append(CellProblem(index + 1, "timeout" if expired.is_set() else "error",
                                                "the notebook ran past its total time limit" if expired.is_set() else f"the kernel died ({exc})"))
                    break
                message = _error_message(cell)
                ran_out = time.monotonic() - cell_started >= client.timeout - 0.5
                if ran_out and (message is None or message.startswith(("KeyboardInterrupt", "CellTimeoutError"))):
                    problems.append(CellProblem(index + 1, "timeout", f"cell {index + 1} ran past its {client.timeout} s limit"))
                elif message:
                    problems.append(CellProblem(index + 1, "error", message))
            if pull and not kernel_died and not expired.is_set():
                import nbformat

                pull_cell = nbformat.v4.new_code_cell(_pull_code(list(pull), str(pull_path)))
                notebook.cells.append(pull_cell)
                client.timeout = int(max(5, min(60, deadline - time.monotonic() + 5)))
                try:
                    client.execute_cell(pull_cell, len(notebook.cells) - 1, store_history=False)
                except (DeadKernelError, CellTimeoutError) as exc:
                    kernel_died = True
                    missing["*"] = f"the kernel died while values were pulled ({exc})"
                notebook.cells.pop()
                if "*" not in missing:
                    values, missing = _read_pulled(pull_path, pull_limit_bytes)
                    pull_error = _error_message(pull_cell)
                    if pull_error and not values:
                        missing.setdefault("*", f"pulling values failed: {pull_error}")
    except DeadKernelError as exc:
        kernel_died = True
        problems.append(CellProblem(0, "error", f"the kernel died ({exc})"))
    finally:
        watchdog.cancel()
        launcher.close()  # kills what is left of the uid's processes, removes the work dir
        launcher.close_launcher()  # frees the uid
        shutil.rmtree(scratch, ignore_errors=True)
    if expired.is_set():
        timed_out = True
    if pull and (timed_out or kernel_died):
        for name in pull:
            if name not in values:
                missing.setdefault(name, "not pulled: the notebook did not finish")
    if values:
        missing.pop("*", None)
    return NotebookRun(values=values, missing=missing, problems=problems, timed_out=timed_out, kernel_died=kernel_died,
                       output_truncated=client.output_truncated, duration=time.monotonic() - started, notebook=notebook,
                       kernel_uid=launcher.uid)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "kernel":
        _kernel_wrapper_main(sys.argv[2:])
    else:
        sys.exit("usage: python -m autograder.notebook_run kernel LIMITS_JSON -f CONNECTION_FILE")
