"""``solutions/<id>`` -> ``assignments/<id>``: the student version of an assignment.

Steps, in order:

1. ``record_frozen``   run the public tests on the reference, recording expected values
2. ``make_stub``       solution regions -> ``raise NotImplementedError("<task>: ...")``
3. ``make_notebook``   ``notebook.py`` (jupytext percent) -> ``<id>.ipynb`` with the stubs
4. ``make_readme``     a README for students from the spec
5. write ``assignment.toml``, the stub, the notebook, README and ``tests/`` (public only)

A question assignment (``questions`` in ``assignment.toml``) is generated from its
public bank instead (:mod:`autograder.question_release`); its key never ships.

``release --check`` builds the same files in memory and compares them with the
committed ``assignments/<id>``; it fails when they are out of date. Hidden tests,
mutants and reference code never reach ``assignments/``.
"""

from __future__ import annotations

import ast
import pathlib
import re
import shutil
import tempfile

from autograder.errors import ReleaseError
from autograder.spec import AssignmentSpec, load_spec

__all__ = ["ReleaseError", "build_release", "check_release", "make_stub", "release", "release_files", "record_frozen"]

BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
INCLUDE = re.compile(r"^\s*#\s*include:\s*(.+?)\s*$")
#: the one command a student runs to check work locally and in notebooks (the `student` extra: no torch)
STUDENT_INSTALL = 'pip install "dl-autograder[student]"'


def _enclosing_functions(source: str) -> list[tuple[int, int, str, str | None]]:
    """``(first line, last line, name, class)`` of every function; ``class`` names the class a method is defined in."""
    tree = ast.parse(source)
    spans = []
    for parent in ast.walk(tree):
        for node in ast.iter_child_nodes(parent):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                owner = parent.name if isinstance(parent, ast.ClassDef) else None
                spans.append((node.lineno, node.end_lineno or node.lineno, node.name, owner))
    return spans


def make_stub(source: str, spec: AssignmentSpec, label: str = "module") -> str:
    """Replace every ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` region by a raise naming its task."""
    spans = _enclosing_functions(source)
    lines = source.split("\n")
    output: list[str] = []
    index = 0
    while index < len(lines):
        match = BEGIN.match(lines[index])
        if not match:
            if END.match(lines[index]):
                raise ReleaseError(f"{label} line {index + 1}: END SOLUTION without BEGIN")
            output.append(lines[index])
            index += 1
            continue
        begin_line = index + 1
        end = index + 1
        while end < len(lines) and not END.match(lines[end]):
            if BEGIN.match(lines[end]):
                raise ReleaseError(f"{label} line {end + 1}: nested BEGIN SOLUTION")
            end += 1
        if end == len(lines):
            raise ReleaseError(f"{label} line {begin_line}: BEGIN SOLUTION without END")
        inside = [span for span in spans if span[0] < begin_line <= span[1]]
        if not inside:
            raise ReleaseError(f"{label} line {begin_line}: a solution region must be inside a function")
        _, _, function, owner = max(inside, key=lambda span: span[0])
        # A method belongs to the task that names its class (``BasicBlock.forward`` -> the task listing BasicBlock).
        task = spec.task_of_function(function) or (spec.task_of_function(owner) if owner else None)
        task_id = task.id if task else spec.id
        label = f"{owner}.{function}" if owner else function
        output.append(f'{match.group(1)}raise NotImplementedError("{task_id}: implement {label}")')
        index = end + 1
    stub = "\n".join(output)
    ast.parse(stub)  # the stub must stay valid Python
    return stub


def function_sources(source: str) -> dict[str, str]:
    """Top-level function name -> its source (decorators included)."""
    tree = ast.parse(source)
    lines = source.split("\n")
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            found[node.name] = "\n".join(lines[start - 1: node.end_lineno])
    return found


def make_notebook(notebook_source: str, stub_source: str, spec: AssignmentSpec) -> str:
    """``notebook.py`` (jupytext percent format) -> notebook JSON, ``# include:`` cells filled with stubs."""
    import jupytext
    import nbformat

    notebook = jupytext.reads(notebook_source, fmt="py:percent")
    functions = function_sources(stub_source)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        match = INCLUDE.match(cell.source.strip()) if "\n" not in cell.source.strip() else None
        if match:
            names = [name.strip() for name in match.group(1).split(",") if name.strip()]
            missing = [name for name in names if name not in functions]
            if missing:
                raise ReleaseError(f"notebook.py includes {missing}, which {spec.module_file} does not define")
            cell.source = "\n\n\n".join(functions[name] for name in names)
    clean = nbformat.v4.new_notebook()
    clean.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(cell.source)
        else:
            new = nbformat.v4.new_raw_cell(cell.source)
        new.id = f"{spec.id}-{number:03d}"
        clean.cells.append(new)
    nbformat.validate(clean)
    return nbformat.writes(clean) + "\n"


def _imports_sentence(spec: AssignmentSpec) -> str:
    """What the README tells students about imports (the rule of :mod:`autograder.student_imports`)."""
    forbidden = f"{', '.join(spec.forbidden_imports)} cannot be imported when grading." if spec.forbidden_imports else ""
    if spec.student_packages is None:
        return forbidden
    return f"When graded, your code can import {spec.import_rule.describe_allowed()}, and nothing else; {forbidden}"


def make_readme(spec: AssignmentSpec, has_notebook: bool) -> str:
    rows = "\n".join(f"| `{task.id}` | {task.title} | {task.points:g} | {', '.join(f'`{f}`' for f in task.functions)} |" for task in spec.tasks)
    notebook_line = f"Work in `{spec.id}.ipynb` (the functions are defined in its cells) or in `{spec.module_file}`.\n" if has_notebook else ""
    return f"""# {spec.title}

<!-- generated by `autograder release {spec.id}`; edit solutions/{spec.id}/ instead -->

Implement the functions in `{spec.module_file}`. Each stub raises
`NotImplementedError` until you replace its body. {_imports_sentence(spec)}
{notebook_line}
| task | what | points | functions |
|---|---|---|---|
{rows}

**Total: {spec.max_score:g} points.** A task's score is its points times the
fraction of its hidden tests that pass. Hidden tests use random inputs (new
each grading run), float32 inputs and edge cases, so make your code general.

## Set up

One command installs what you need to check your work, locally and in notebooks
(Python 3.11 or newer; no torch, no hidden tests):

```
{STUDENT_INSTALL}
```

In Jupyter or VS Code, run it in a terminal of the environment the notebook uses.
In Google Colab, run `!{STUDENT_INSTALL}` in the first cell, then bring this
folder along (upload it, or `!git clone` your repository and `%cd` into this
folder): the checks need `assignment.toml` and `tests/` next to the notebook.

## Check your work

```
autograder check {spec.module_file}          # or your notebook: autograder check {spec.id}.ipynb
```

In the notebook: `grader.check("<task>")` after a task, `grader.check_all()` at the end.
Public tests (in `tests/`) compare with frozen values and explain the usual mistakes.

## Submit

Submit `{spec.module_file}` or `{spec.id}.ipynb` (or `grader.export()`'s zip).
Only definitions are graded (imports, functions, classes, constants): cells
that train, plot or print are not run when grading.
"""


def record_frozen(spec: AssignmentSpec, target_dir: pathlib.Path) -> None:
    """Run the public tests on the reference in-process, recording frozen values into ``target_dir``."""
    from autograder.harness.local import LocalSubmission, load_module_from_file
    from autograder.harness.runner import TestSuite

    target_dir.mkdir(parents=True, exist_ok=True)
    suite = TestSuite(spec.tests_dir("public"), assignment=spec.root)
    try:
        outcomes = suite.run(lambda: LocalSubmission.of(load_module_from_file(spec.root / spec.module_file), spec),
                             seed=0, hidden=False, record=True, frozen_dir=target_dir)
    finally:
        suite.close()
    problems = list(outcomes.collection_errors) + [f"{test.name}: {test.message}" for test in outcomes.tests if test.outcome != "passed"]
    if problems or not outcomes.tests:
        raise ReleaseError(f"recording frozen values for {spec.id} failed:\n" + ("\n".join(problems)[-3000:] or "no public tests"))


def build_release(spec: AssignmentSpec, frozen_dir: pathlib.Path) -> dict[str, bytes]:
    """Relative path -> content of every file of ``assignments/<id>``."""
    root = spec.root
    files: dict[str, bytes] = {}
    module_source = (root / spec.module_file).read_text(encoding="utf-8")
    stub = make_stub(module_source, spec, spec.module_file)
    files[spec.module_file] = stub.encode()
    files["assignment.toml"] = (root / "assignment.toml").read_bytes()
    notebook_path = root / "notebook.py"
    if notebook_path.is_file():
        files[f"{spec.id}.ipynb"] = make_notebook(notebook_path.read_text(encoding="utf-8"), stub, spec).encode()
    files["README.md"] = make_readme(spec, notebook_path.is_file()).encode()
    files.update(spec.public_test_files())
    for path in sorted(frozen_dir.glob("*.npz")):
        files[f"tests/expected/{path.name}"] = path.read_bytes()
    return files


def release_files(spec: AssignmentSpec, frozen_dir: pathlib.Path) -> dict[str, bytes]:
    """Every file of ``assignments/<id>``: a question assignment's from its bank
    (autograder.question_release), any other's after recording its frozen values into ``frozen_dir``."""
    if spec.question_bank is not None:
        from autograder.question_release import release_files as question_release_files

        return question_release_files(spec)
    record_frozen(spec, frozen_dir)
    return build_release(spec, frozen_dir)


def release(solution_root: pathlib.Path, assignments_root: pathlib.Path) -> pathlib.Path:
    """Write ``assignments/<id>`` from ``solutions/<id>`` (recording frozen values first)."""
    spec = load_spec(solution_root)
    files = release_files(spec, spec.tests_dir("public") / "expected")
    target = assignments_root / spec.id
    if target.exists():
        shutil.rmtree(target)
    for relative, content in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return target


def _npz_equal(a: bytes, b: bytes) -> bool:
    import io

    import numpy as np

    with np.load(io.BytesIO(a), allow_pickle=False) as left, np.load(io.BytesIO(b), allow_pickle=False) as right:
        if sorted(left.files) != sorted(right.files):
            return False
        return all(left[k].shape == right[k].shape and np.allclose(left[k], right[k], rtol=1e-9, atol=1e-12, equal_nan=True) for k in left.files)


def check_release(solution_root: pathlib.Path, assignments_root: pathlib.Path) -> list[str]:
    """Differences between what ``release`` would write and what is committed (empty: up to date)."""
    spec = load_spec(solution_root)
    with tempfile.TemporaryDirectory() as scratch:
        files = release_files(spec, pathlib.Path(scratch))
    target = assignments_root / spec.id
    problems = []
    committed = {p.relative_to(target).as_posix(): p for p in target.rglob("*") if p.is_file() and "__pycache__" not in p.parts} if target.is_dir() else {}
    for relative, content in files.items():
        path = committed.pop(relative, None)
        if path is None:
            problems.append(f"{spec.id}: missing {relative}")
        elif relative.endswith(".npz"):
            if not _npz_equal(path.read_bytes(), content):
                problems.append(f"{spec.id}: {relative} differs from the reference's values")
        elif path.read_bytes() != content:
            problems.append(f"{spec.id}: {relative} is out of date")
    problems += [f"{spec.id}: {relative} should not be there" for relative in sorted(committed)]
    return problems


def all_solution_roots(base: pathlib.Path) -> list[pathlib.Path]:
    return sorted(path.parent for path in (base / "solutions").glob("*/assignment.toml"))
