"""Execution mode (autograder.notebook_run) with a real ipykernel: values out, errors, limits, timeouts."""

import os
import time

import nbformat
import numpy as np
import pytest

from autograder.intake import IntakeError
from autograder.notebook_run import run_notebook


def write_notebook(path, *sources):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Experiment")] + [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(notebook, path)
    return path


def test_values_come_out_through_the_value_codec_and_problems_are_recorded(tmp_path, monkeypatch):
    monkeypatch.setenv("AG_TEST_SECRET", "do-not-leak")
    path = write_notebook(
        tmp_path / "experiment.ipynb",
        "import numpy as np, os\nlosses = np.linspace(1, 0, 5).astype(np.float32)\nconfig = {'lr': 0.1, 'layers': (3, 'relu')}\nsecret = os.environ.get('AG_TEST_SECRET', 'unset')",
        "!touch shell_ran\n%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot(losses); plt.show()\nshell_ran = os.path.exists('shell_ran')",
        "raise ValueError('a broken experiment cell')",
        "import time\ntime.sleep(60)  # interrupted by the per-cell timeout",
        "print('y' * 5_000_000)",
        "big = np.ones(2**31)  # 16 GiB: over the memory limit",
        "class Model: pass\nmodel = Model()\nfinal = float(losses[-1]) + 1",
    )
    run = run_notebook(path, timeout_per_cell=4, total_timeout=120, memory_mb=2048, output_limit_bytes=200_000,
                       pull=["losses", "config", "secret", "shell_ran", "final", "model", "never_defined"])
    assert run.values["losses"].dtype == np.float32 and np.allclose(run.values["losses"], np.linspace(1, 0, 5))
    assert run.values["config"] == {"lr": 0.1, "layers": (3, "relu")}
    assert run.values["secret"] == "unset"          # a clean environment: nothing inherited
    assert run.values["shell_ran"] is False         # shell escapes are not run
    assert run.values["final"] == 1.0               # cells after errors and timeouts still ran
    assert "not a value" in run.missing["model"] and "not defined" in run.missing["never_defined"]
    kinds = {problem.cell: problem.kind for problem in run.problems}
    assert kinds == {4: "error", 5: "timeout", 7: "error"}
    assert "ValueError: a broken experiment cell" in run.problems[0].message
    assert "MemoryError" in [p.message for p in run.problems if p.cell == 7][0]
    assert run.output_truncated and not run.timed_out and not run.kernel_died
    if os.geteuid() == 0 and run.kernel_uid is not None:
        assert 61000 <= run.kernel_uid < 62000, "as root, the kernel runs as a leased worker uid (setpriv)"


def test_total_timeout_kills_the_kernel(tmp_path):
    path = write_notebook(tmp_path / "slow.ipynb", "x = 1", "import time\nwhile True:\n    try:\n        time.sleep(100)\n    except KeyboardInterrupt:\n        pass  # ignores interrupts", "y = 2")
    run = run_notebook(path, timeout_per_cell=60, total_timeout=8, pull=["x", "y"])
    assert run.timed_out and run.values == {}
    assert run.duration < 30
    assert "did not finish" in run.missing["x"]


def test_unreadable_notebook_is_an_intake_error(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [')
    with pytest.raises(IntakeError, match="not a readable notebook"):
        run_notebook(path, pull=["x"])


from autograder.launchers.bwrap import bwrap_unavailable_reason  # noqa: E402

needs_bwrap = pytest.mark.skipif(bwrap_unavailable_reason() is not None, reason=f"bwrap unavailable: {bwrap_unavailable_reason()}")

PROBES = (
    "import os, socket, numpy as np\nx = np.arange(3.0)\nuid = os.getuid()",
    "try:\n    socket.create_connection(('1.1.1.1', 80), timeout=2)\n    net = 'reached'\nexcept OSError as exc:\n    net = type(exc).__name__",
    "try:\n    secret = open(SECRET_PATH).read()\nexcept OSError as exc:\n    secret = type(exc).__name__",
    "try:\n    open(HOST_PATH, 'w').write('x')\n    wrote = 'yes'\nexcept OSError as exc:\n    wrote = type(exc).__name__",
    "data = open('data.txt').read()",
    "try:\n    import torch\n    torch_imported = True\nexcept ImportError:\n    torch_imported = False",
)


@needs_bwrap
def test_bwrap_kernel_has_no_network_no_host_files_and_its_own_uid(tmp_path):
    """The kernel runs inside bubblewrap like a worker: it sees its files, not the host's."""
    secret = tmp_path / "hidden_tests.py"
    secret.write_text("EXPECTED = 42")
    host_dir = tmp_path / "host"
    host_dir.mkdir(mode=0o777)
    host_dir.chmod(0o777)
    data = tmp_path / "data.txt"
    data.write_text("measurements")
    setup = f"SECRET_PATH = {str(secret)!r}\nHOST_PATH = {str(host_dir / 'written')!r}"
    path = write_notebook(tmp_path / "experiment.ipynb", setup, *PROBES, "import time\ntime.sleep(60)  # interrupted", "after = 1")
    run = run_notebook(path, pull=["x", "uid", "net", "secret", "wrote", "data", "torch_imported", "after"], sandbox="bwrap",
                       files=[data], forbidden_imports=["torch"], timeout_per_cell=5, total_timeout=120)
    assert [(p.cell, p.kind) for p in run.problems] == [(9, "timeout")] and run.missing == {}, (run.problems, run.missing)
    assert run.values["after"] == 1, "the per-cell timeout interrupts the kernel in the sandbox, and the run goes on"
    values = run.values
    assert np.array_equal(values["x"], [0.0, 1.0, 2.0]) and values["data"] == "measurements"
    assert values["net"] != "reached", "no network in the sandbox"
    assert values["secret"] == "FileNotFoundError", "the host's files do not exist in the sandbox"
    assert values["wrote"] != "yes" and not (host_dir / "written").exists()
    assert values["torch_imported"] is False
    if os.geteuid() == 0:
        assert 61000 <= values["uid"] < 62000, "as root, the kernel runs as a leased worker uid"


@needs_bwrap
def test_bwrap_kernel_total_timeout_leaves_no_process(tmp_path):
    path = write_notebook(tmp_path / "slow.ipynb", "x = 1",
                          "import time\nwhile True:\n    try:\n        time.sleep(100)\n    except KeyboardInterrupt:\n        pass")
    run = run_notebook(path, timeout_per_cell=60, total_timeout=10, pull=["x"], sandbox="bwrap")
    assert run.timed_out and run.duration < 40
    time.sleep(0.5)
    left = [f"{pid} (uid {_uid_of(pid)}): {_cmdline(pid)[:150]}" for pid in os.listdir("/proc")
            if pid.isdigit() and "autograder.notebook_run kernel" in _cmdline(pid)]
    assert left == [], "the kernel and its sandbox are gone"


def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _uid_of(pid: str) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None
