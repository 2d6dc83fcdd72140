"""Execution mode (autograder.notebook_run) with a real ipykernel: values out, errors, limits, timeouts."""

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
