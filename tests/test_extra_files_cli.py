"""A submission's own helper modules, through the real CLI: the assignment's ``extra_files`` reach the
worker and import there (from a ``.py`` submission and from a notebook); any other file is left behind,
and the import refusal names exactly what a submission may import."""

import csv
import json
import subprocess
import sys
import zipfile

import nbformat
import pytest

pytestmark = pytest.mark.slow

HELPERS = "import numpy as np\n\n\ndef times(x, factor):\n    return np.multiply(x, factor)\n"

MODULE_USING = """\
import numpy as np
from {module} import times


def scale_forward(x, factor):
    return times(x, factor), {{"factor": factor}}


def scale_backward(dout, cache):
    return times(dout, cache["factor"])


def update_running_mean(x, param):
    mean = x.mean(axis=0)
    param["running_mean"] = 0.9 * param.get("running_mean", np.zeros(x.shape[1])) + 0.1 * mean
    return mean


def apply_twice(f, x):
    return f(f(x))
"""


def declare_helpers(toy_base) -> None:
    toml = toy_base / "solutions" / "toy" / "assignment.toml"
    text = toml.read_text()
    toml.write_text(text.replace('student_packages = ["numpy", "scipy"]', 'student_packages = ["numpy", "scipy"]\nextra_files = ["helpers.py"]'))


def make_zip(path, entries: dict[str, str]):
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return path


def notebook_using_helpers() -> str:
    notebook = nbformat.v4.new_notebook()
    cells = MODULE_USING.format(module="helpers").split("\n\n\n")
    notebook.cells = [nbformat.v4.new_code_cell("import otter\n" + cells[0])] + [nbformat.v4.new_code_cell(c) for c in cells[1:]]
    notebook.cells.insert(2, nbformat.v4.new_code_cell("x = np.ones((2, 3))\nscale_forward(x, 2.0)"))
    return nbformat.writes(notebook)


def grade(toy_base, out, *paths):
    command = [sys.executable, "-m", "autograder.cli", "--base", str(toy_base), "grade", "--assignment", "toy", "--sandbox", "process",
               "--jobs", "1", "--seed", "99", "--quiet", "--out", str(out), *map(str, paths)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return {row["name"]: row for row in csv.DictReader((out / "grades.csv").open())}


def test_declared_helper_modules_are_delivered_and_importable(toy_base, tmp_path):
    declare_helpers(toy_base)
    subs = tmp_path / "subs"
    subs.mkdir()
    make_zip(subs / "py_with_helper.zip", {"hw/toy.py": MODULE_USING.format(module="helpers"), "hw/helpers.py": HELPERS})
    make_zip(subs / "notebook_with_helper.zip", {"toy.ipynb": notebook_using_helpers(), "helpers.py": HELPERS})
    make_zip(subs / "undeclared_helper.zip", {"toy.py": MODULE_USING.format(module="utils"), "utils.py": HELPERS})
    out = tmp_path / "out"
    rows = grade(toy_base, out, *sorted(subs.iterdir()))

    assert rows["py_with_helper"]["status"] == "ok" and rows["py_with_helper"]["total"] == "3"
    assert rows["notebook_with_helper"]["status"] == "ok" and rows["notebook_with_helper"]["total"] == "3"
    notebook_feedback = (out / "notebook_with_helper" / "feedback.md").read_text()
    assert "left out: import otter in cell 1" in notebook_feedback

    undeclared = rows["undeclared_helper"]
    assert undeclared["status"] == "student_error"
    result = json.loads((out / "undeclared_helper" / "results.json").read_text())
    assert ("No module named 'utils' when graded: submissions to this assignment can import the Python standard library, "
            "numpy, scipy and the submission's own module helpers.py") in result["output"]
    assert "ignored files (only helpers.py, toy.py are used): utils.py" in (out / "undeclared_helper" / "feedback.md").read_text()


def test_without_extra_files_the_refusal_does_not_promise_own_modules(toy_base, tmp_path):
    path = make_zip(tmp_path / "helper_not_accepted.zip", {"toy.py": MODULE_USING.format(module="helpers"), "helpers.py": HELPERS})
    out = tmp_path / "out"
    rows = grade(toy_base, out, path)
    assert rows["helper_not_accepted"]["status"] == "student_error"
    output = json.loads((out / "helper_not_accepted" / "results.json").read_text())["output"]
    assert ("No module named 'helpers' when graded: submissions to this assignment can import the Python standard library, "
            "numpy and scipy\n") in output
    assert "own module" not in output
