"""The student install: a fresh venv, the command of the student README, then checks in a real notebook.

`pip install "dl-autograder[student]"` (autograder.release.STUDENT_INSTALL) is run
with this checkout in place of the index name, offline, from a wheelhouse of what
the `student` extra needs (tests/wheelhouse.py). Then, in that venv: torch is not
there, `import autograder` and `autograder check` work on the released stub and on
the reference, and the released notebook runs in a Jupyter kernel of the venv
(nbclient) where `grader.check_all()` reports the stub as not done and the
reference as passing.

Slow: about a minute to install, and a notebook run per case.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from autograder.release import STUDENT_INSTALL

REPO = pathlib.Path(__file__).resolve().parent.parent
ASSIGNMENT = "batchnorm"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def student_venv(tmp_path_factory):
    from wheelhouse import STUDENT_PACKAGES, offline_pip_environment, wheelhouse

    wheels = wheelhouse("student", STUDENT_PACKAGES)
    work = tmp_path_factory.mktemp("student")
    source = work / "dl-autograder"   # the kit as published: the package, its metadata (no solutions)
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "autograder", source / "autograder", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}, **offline_pip_environment(wheels)}
    assert STUDENT_INSTALL == 'pip install "dl-autograder[student]"'
    command = [str(venv / "bin" / "python"), "-m", *STUDENT_INSTALL.replace('"', "").replace("dl-autograder", str(source)).split()]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return venv, env


def _in_venv(venv, env, *args, cwd=None):
    return subprocess.run([str(venv / "bin" / "python"), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600)


def test_no_torch_and_the_package_imports(student_venv):
    venv, env = student_venv
    probe = ("import importlib.util, autograder; from autograder import Notebook; "
             "print(importlib.util.find_spec('torch') is None, importlib.util.find_spec('sklearn') is None, autograder.__file__)")
    completed = _in_venv(venv, env, "-c", probe, cwd="/")
    assert completed.returncode == 0, completed.stderr
    no_torch, no_sklearn, location = completed.stdout.split()
    assert no_torch == "True" and no_sklearn == "True" and str(venv) in location


def test_cli_check_on_stub_and_reference(student_venv, tmp_path):
    venv, env = student_venv
    folder = tmp_path / ASSIGNMENT
    shutil.copytree(REPO / "assignments" / ASSIGNMENT, folder)
    check = [str(venv / "bin" / "autograder"), "check", f"{ASSIGNMENT}.py"]
    stub = subprocess.run(check, env=env, cwd=folder, capture_output=True, text=True, timeout=600)
    assert stub.returncode == 1 and "not implemented yet (bn_forward: implement batchnorm_forward)" in stub.stdout, stub.stdout[-2000:] + stub.stderr[-2000:]
    assert re.search(r"^0/\d+ public tests passed", stub.stdout, re.M)
    shutil.copy(REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.py", folder / f"{ASSIGNMENT}.py")
    done = subprocess.run(check, env=env, cwd=folder, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def _run_notebook(venv, env, folder: pathlib.Path, extra_cells: list[str], kernels: pathlib.Path) -> list[str]:
    """Run the released notebook, then ``extra_cells``, in a kernel of the student venv; the extra cells' printed text."""
    import nbformat
    from nbclient import NotebookClient

    spec_dir = kernels / "kernels" / "student-venv"
    if not spec_dir.is_dir():
        spec_dir.mkdir(parents=True)
        (spec_dir / "kernel.json").write_text(json.dumps({
            "argv": [str(venv / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "student venv", "language": "python"}))
    notebook = nbformat.read(folder / f"{ASSIGNMENT}.ipynb", as_version=4)
    first_extra = len(notebook.cells)
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in extra_cells]
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(kernels)
    try:
        client = NotebookClient(notebook, kernel_name="student-venv", timeout=600, allow_errors=True,
                                resources={"metadata": {"path": str(folder)}})
        client.execute(env=env)
    finally:
        if previous is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = previous
    texts = []
    for cell in notebook.cells[first_extra:]:
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{cell.source!r} raised {errors[0]['ename']}: {errors[0]['evalue']}"
        texts.append("".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream"))
    return texts


def test_notebook_check_all_on_stub_and_reference(student_venv, tmp_path):
    pytest.importorskip("nbclient")
    venv, env = student_venv
    folder = tmp_path / ASSIGNMENT
    shutil.copytree(REPO / "assignments" / ASSIGNMENT, folder)
    kernels = tmp_path / "jupyter"
    report = "report = grader.check_all()\nprint('PASSED' if report.passed else 'NOT PASSED')\nprint(report)"
    stub_text, = _run_notebook(venv, env, folder, [report], kernels)
    assert "NOT PASSED" in stub_text and "not implemented yet" in stub_text and "public tests passed" in stub_text
    reference = REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.py"
    done_text, = _run_notebook(venv, env, folder, [f"exec(open({str(reference)!r}).read())\n{report}"], kernels)
    assert "PASSED" in done_text and "NOT PASSED" not in done_text and "FAIL " not in done_text, done_text[-3000:]
