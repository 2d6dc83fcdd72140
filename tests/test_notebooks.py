"""Notebook submissions through the real CLI, in-notebook checks (Notebook), export zips, and the released notebook.

Graded against the toy assignment in tests/fixtures (copied into tmp_path by the
``toy_base`` fixture), with real harness and worker processes.
"""

import json
import pathlib
import re
import shutil
import subprocess
import sys
import time
import zipfile

import nbformat
import pytest

from autograder.intake import intake
from autograder.release import make_notebook, make_stub
from autograder.spec import load_spec

REPO = pathlib.Path(__file__).resolve().parent.parent
SOLUTION_MARKERS = re.compile(r"^\s*# (BEGIN|END) SOLUTION\n", re.MULTILINE)


def grade(base, out, *paths):
    command = [sys.executable, "-m", "autograder.cli", "--base", str(base), "grade", "--assignment", "toy", "--out", str(out),
               "--seed", "99", "--quiet", "--jobs", "2", *map(str, paths)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return completed


def results(out, name):
    payload = json.loads((out / name / "results.json").read_text())
    return payload, (out / name / "feedback.md").read_text()


def functions_of(reference: str) -> dict[str, str]:
    from autograder.release import function_sources

    return function_sources(SOLUTION_MARKERS.sub("", reference))


def student_notebook(functions: dict[str, str], *, broken_cell: str | None = None) -> nbformat.NotebookNode:
    """The solution spread over cells as a student writes it: experiments, plots, prints, shell lines, a training loop."""
    cells = [
        nbformat.v4.new_markdown_cell("# Toy assignment\nImplement the layers below."),
        nbformat.v4.new_code_cell("!pip install numpy\n%matplotlib inline\nimport numpy as np\nimport matplotlib.pyplot as plt"),
        nbformat.v4.new_code_cell(functions["scale_forward"]),
        nbformat.v4.new_code_cell("x = np.random.randn(3, 4)\nout, cache = scale_forward(x, 2.0)\nprint('debug', out)\nplt.hist(out.ravel()); plt.show()"),
        nbformat.v4.new_code_cell(functions["scale_backward"]),
        nbformat.v4.new_code_cell("from autograder import Notebook\ngrader = Notebook()\ngrader.check('scale')"),
        nbformat.v4.new_code_cell(functions["update_running_mean"] + "\n\n\n" + functions["apply_twice"]),
        nbformat.v4.new_code_cell("for step in range(10**9):\n    pass  # 'training' that must never run when grading"),
        nbformat.v4.new_code_cell("%%bash\necho this is not run"),
    ]
    if broken_cell:
        cells.append(nbformat.v4.new_code_cell(broken_cell))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    notebook.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text="debug [[...]]\n")]
    return notebook


@pytest.fixture
def submissions(toy_base, toy_reference, tmp_path):
    """A folder of .py / .ipynb / .zip submissions, good and broken."""
    folder = tmp_path / "subs"
    folder.mkdir()
    functions = functions_of(toy_reference)
    (folder / "as_py.py").write_text(toy_reference)
    nbformat.write(student_notebook(functions), folder / "good.ipynb")
    buggy = dict(functions, scale_backward="def scale_backward(dout, cache):\n    return dout")
    nbformat.write(student_notebook(buggy), folder / "buggy.ipynb")
    # A syntax error in the cell of apply_twice: only the tests that need it fail (policy: the rest is used).
    broken = dict(functions, apply_twice="def apply_twice(f, x)\n    return f(f(x))")
    nbformat.write(student_notebook(broken), folder / "syntax.ipynb")
    v4 = student_notebook(functions)
    v3 = nbformat.v3.new_notebook(worksheets=[nbformat.v3.new_worksheet(cells=[
        nbformat.v3.new_code_cell(input=cell.source) for cell in v4.cells if cell.cell_type == "code"])])
    (folder / "old_v3.ipynb").write_text(nbformat.writes(v3, version=3))
    huge = student_notebook(functions)
    huge.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text=("x" * 999 + "\n") * 20_000)]  # 20 MB of output
    nbformat.write(huge, folder / "huge_outputs.ipynb")
    text = nbformat.writes(student_notebook(functions))
    (folder / "truncated.ipynb").write_text(text[: len(text) // 2])
    no_version = json.loads(text)
    del no_version["nbformat"]
    (folder / "no_version.ipynb").write_text(json.dumps(no_version))
    with zipfile.ZipFile(folder / "two_notebooks.zip", "w") as archive:
        archive.writestr("a.ipynb", text)
        archive.writestr("b.ipynb", text)
    return folder


@pytest.mark.slow
def test_notebooks_grade_like_the_same_code_in_a_py(toy_base, submissions, tmp_path):
    out = tmp_path / "out"
    completed = grade(toy_base, out, *sorted(submissions.iterdir()))
    assert "graded 9 submission(s)" in completed.stdout  # the broken ones did not stop the batch

    as_py, _ = results(out, "as_py")
    good, good_feedback = results(out, "good")
    assert as_py["score"] == good["score"] == 3
    assert [t["score"] for t in good["tests"]] == [t["score"] for t in as_py["tests"]]
    assert "not run (only definitions are graded)" in good_feedback and "magic/shell" in good_feedback

    buggy, _ = results(out, "buggy")
    assert buggy["extra_data"]["status"] == "ok" and 1 <= buggy["score"] < 3
    assert [t["score"] for t in buggy["tests"]][1] == 1  # the other task keeps its point

    syntax, syntax_feedback = results(out, "syntax")
    assert syntax["extra_data"]["status"] == "ok" and syntax["tests"][0]["score"] == 2 and syntax["tests"][1]["score"] < 1
    assert "cell 7, line 9: SyntaxError" in syntax_feedback and "apply_twice" in syntax_feedback

    for name in ("old_v3", "huge_outputs"):
        payload, _ = results(out, name)
        assert payload["score"] == 3, name
    for name, expected in [("truncated", "not a readable notebook"), ("no_version", "no nbformat version"), ("two_notebooks", "holds 2 notebooks")]:
        payload, feedback = results(out, name)
        assert payload["extra_data"]["status"] == "student_error", name
        assert expected in payload["output"] + feedback, name


def test_outputs_of_a_notebook_are_never_parsed(toy_spec, submissions):
    """20 MB of outputs change nothing: the graded module is built from the cells' sources alone.
    (How long intake takes is measured in bench/, not asserted here.)"""
    plain, huge = intake(submissions / "good.ipynb", toy_spec), intake(submissions / "huge_outputs.ipynb", toy_spec)
    try:
        assert (huge.directory / "toy.py").read_text().split("\n")[1:] == (plain.directory / "toy.py").read_text().split("\n")[1:]
    finally:
        plain.cleanup()
        huge.cleanup()


def test_check_in_the_notebook_namespace(toy_base, toy_reference):
    from autograder import Notebook

    functions = functions_of(toy_reference)
    namespace = {"__name__": "__main__"}
    exec("import numpy as np\n" + functions["scale_forward"] + "\n" + functions["scale_backward"], namespace)
    grader = Notebook(toy_base / "assignments" / "toy", namespace=namespace)

    report = grader.check("scale")
    assert report.passed and [task.id for task in report.result.tasks] == ["scale"]
    assert "PASS  scale" in str(report)

    everything = grader.check_all()
    assert not everything.passed
    assert "no function 'update_running_mean'" in str(everything)
    html = everything._repr_html_()
    assert "<table>" in html and "fail" in html and "update_running_mean" in html

    exec("def scale_forward(x, factor):\n    raise NotImplementedError('scale: implement scale_forward')", namespace)
    assert "not implemented yet (scale: implement scale_forward)" in str(grader.check("scale"))  # the live namespace, no save needed
    with pytest.raises(ValueError, match="has no task 'nope'"):
        grader.check("nope")


def test_notebook_finds_its_assignment_from_the_working_directory(toy_base, monkeypatch):
    from autograder import Notebook
    from autograder.spec import SpecError

    monkeypatch.chdir(toy_base / "assignments" / "toy")
    assert Notebook().spec.id == "toy" and Notebook("toy").spec.root == (toy_base / "assignments" / "toy").resolve()
    monkeypatch.chdir(toy_base)
    with pytest.raises(SpecError, match="no assignment.toml"):
        Notebook()


@pytest.mark.slow
def test_export_grades_like_the_notebook_and_refuses_tampering(toy_base, toy_reference, tmp_path):
    from autograder import Notebook

    folder = tmp_path / "student"
    shutil.copytree(toy_base / "assignments" / "toy", folder)
    functions = functions_of(toy_reference)
    notebook = student_notebook(functions)
    nbformat.write(notebook, folder / "toy.ipynb")
    namespace = {"__name__": "__main__"}
    exec("import numpy as np\n" + "\n\n".join(functions.values()), namespace)  # as if the student ran the cells
    grader = Notebook(directory=folder, namespace=namespace)
    exported = grader.export(quiet=True)
    assert exported == folder / "toy_submission.zip"
    with zipfile.ZipFile(exported) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert sorted(archive.namelist()) == ["manifest.json", "toy.ipynb"]  # the untouched stub toy.py is not shipped
    assert manifest["assignment"] == "toy" and manifest["graded"] == "toy.ipynb" and len(manifest["files"]["toy.ipynb"]["sha256"]) == 64

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(exported) as source, zipfile.ZipFile(tampered, "w") as target:
        target.writestr("manifest.json", source.read("manifest.json"))
        target.writestr("toy.ipynb", source.read("toy.ipynb").replace(b"cache[\\\"factor\\\"]", b"1.0"))

    # A student who works in toy.py and imports it from the notebook: the module is shipped and graded.
    module_student = tmp_path / "module_student"
    shutil.copytree(toy_base / "assignments" / "toy", module_student)
    (module_student / "toy.py").write_text(toy_reference)
    module_namespace = {"__name__": "__main__"}
    sys.path.insert(0, str(module_student))
    try:
        exec("from toy import *", module_namespace)
    finally:
        sys.path.remove(str(module_student))
        sys.modules.pop("toy", None)
    importing = nbformat.v4.new_notebook()
    importing.cells = [nbformat.v4.new_code_cell("from toy import *")]
    nbformat.write(importing, module_student / "work.ipynb")
    module_zip = Notebook(directory=module_student, namespace=module_namespace).export(tmp_path / "module_export.zip", quiet=True)
    with zipfile.ZipFile(module_zip) as archive:
        assert json.loads(archive.read("manifest.json"))["graded"] == "toy.py" and "toy.py" in archive.namelist()

    out = tmp_path / "out"
    grade(toy_base, out, folder / "toy.ipynb", exported, tampered, module_zip)
    direct, _ = results(out, "toy")
    from_zip, _ = results(out, "toy_submission")
    assert direct["score"] == from_zip["score"] == 3
    assert [t["score"] for t in direct["tests"]] == [t["score"] for t in from_zip["tests"]]
    refused, _ = results(out, "tampered")
    assert refused["extra_data"]["status"] == "student_error" and "changed after export" in refused["output"]
    from_module, _ = results(out, "module_export")
    assert from_module["score"] == 3


def released_notebooks() -> list[pathlib.Path]:
    return sorted(REPO.glob("assignments/*/*.ipynb"))


def execute_released(notebook_path: pathlib.Path) -> list[str]:
    """Run a released notebook top to bottom with nbclient in its folder; return the errors that are not stubs'."""
    from nbclient import NotebookClient

    notebook = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(notebook_path.parent)}})
    client.execute()
    unexpected = []
    for number, cell in enumerate(notebook.cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and output.get("ename") != "NotImplementedError":
                unexpected.append(f"cell {number}: {output.get('ename')}: {output.get('evalue')}")
    return unexpected, notebook


TOY_NOTEBOOK_SOURCE = '''# %% [markdown]
# # Toy assignment
# A scaling layer multiplies its input by a constant. Implement it below.

# %%
import numpy as np
import matplotlib.pyplot as plt
from autograder import Notebook

grader = Notebook()

# %%
# include: scale_forward, scale_backward

# %%
x = np.random.default_rng(0).normal(size=(100, 3))
out, cache = scale_forward(x, 2.0)
plt.hist(out.ravel(), bins=20); plt.title("after scaling"); plt.show()

# %%
grader.check("scale")

# %%
# include: update_running_mean, apply_twice

# %%
grader.check_all()
'''


@pytest.mark.slow
def test_released_toy_notebook_runs_top_to_bottom_on_the_stub(toy_base, toy_reference):
    spec = load_spec(toy_base / "solutions" / "toy")
    stub = make_stub(toy_reference, spec)
    target = toy_base / "assignments" / "toy" / "toy.ipynb"
    target.write_text(make_notebook(TOY_NOTEBOOK_SOURCE, stub, spec))
    unexpected, executed = execute_released(target)
    assert unexpected == []
    stub_errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert stub_errors and all("implement scale_forward" in o["evalue"] for o in stub_errors)
    check_outputs = [o for c in executed.cells if "grader.check" in c.source for o in c.outputs]
    assert any("text/html" in o.get("data", {}) and "not implemented yet" in o["data"]["text/html"] for o in check_outputs)


@pytest.mark.slow
@pytest.mark.parametrize("notebook_path", released_notebooks(), ids=lambda p: p.parent.name)
def test_released_course_notebooks_run_top_to_bottom_on_the_stub(notebook_path, tmp_path):
    folder = tmp_path / notebook_path.parent.name
    shutil.copytree(notebook_path.parent, folder)
    unexpected, _ = execute_released(folder / notebook_path.name)
    assert unexpected == []
