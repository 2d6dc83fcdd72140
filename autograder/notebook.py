"""In the student's notebook: ``grader = Notebook()``, ``grader.check("bn_backward")``, ``grader.export()``.

::

    from autograder import Notebook
    grader = Notebook()              # the assignment of the assignment.toml next to the notebook
    grader.check("bn_forward")       # that task's public tests on the functions defined above
    grader.check_all()
    grader.export()                  # batchnorm_submission.zip, ready to hand in

``check`` runs the assignment's PUBLIC tests in this process against the live
namespace of the notebook (IPython's user namespace, else ``__main__``): what the
student just ran is what is checked, without saving. (A question assignment's
``ANSWERS`` are read from the cells run so far, as the grader reads them.) Speed
and clear messages matter here, not security (the student's own code runs in the
student's own kernel). The report shows as an HTML table in Jupyter and as text
elsewhere.

``export`` writes a zip that ``autograder grade`` accepts: the notebook file,
the module file when the notebook imports its functions from it, the
assignment's extra files, and ``manifest.json`` with a SHA-256 per file (intake
refuses a zip changed after export).
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import pathlib
import sys
import zipfile

from autograder.check import CheckReport
from autograder.spec import AssignmentSpec, SpecError, find_assignment, load_spec

__all__ = ["CheckReport", "Notebook", "NotebookNamespace"]

class NotebookNamespace:
    """A live, read-only module-like view of a notebook's namespace (what :class:`LocalSubmission` calls)."""

    def __init__(self, namespace: dict):
        object.__setattr__(self, "_namespace", namespace)

    def __getattr__(self, name: str):
        try:
            return self._namespace[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError("the notebook namespace is read-only here")


def _interactive_namespace() -> dict:
    """IPython's user namespace when running in IPython/Jupyter, else ``__main__``'s globals."""
    ipython_module = sys.modules.get("IPython")
    if ipython_module is not None:
        shell = ipython_module.get_ipython()
        if shell is not None:
            return shell.user_ns
    return sys.modules["__main__"].__dict__


class Notebook:
    """The grader inside a student's notebook.

    ``Notebook()`` reads ``assignment.toml`` from the working directory (the
    released assignment folder the notebook sits in); ``Notebook("batchnorm")``
    names the assignment (looked up there first, then in ``assignments/`` and
    ``solutions/``); ``Notebook(path)`` takes an assignment folder.
    ``namespace`` defaults to the live notebook namespace.
    """

    def __init__(self, assignment: str | os.PathLike | None = None, *, namespace: dict | None = None, directory: str | os.PathLike | None = None):
        self.directory = pathlib.Path(directory or os.getcwd()).resolve()
        self.spec: AssignmentSpec = self._find_spec(assignment)
        self._namespace = namespace

    def _find_spec(self, assignment) -> AssignmentSpec:
        local = self.directory / "assignment.toml"
        if assignment is None:
            if not local.is_file():
                raise SpecError(f"no assignment.toml in {self.directory}; open the notebook from its assignment folder, or pass the assignment: Notebook('batchnorm')")
            return load_spec(self.directory)
        as_path = pathlib.Path(assignment)
        if (as_path / "assignment.toml").is_file():
            return load_spec(as_path)
        if local.is_file():
            spec = load_spec(self.directory)
            if spec.id == str(assignment):
                return spec
        return find_assignment(str(assignment), prefer="assignments")

    @property
    def namespace(self) -> dict:
        return self._namespace if self._namespace is not None else _interactive_namespace()

    # ------------------------------------------------------------------ checks

    def check(self, task: str | None = None, *, seed: int | None = None) -> CheckReport:
        """Run the public tests of ``task`` (all tasks when None) on the notebook's functions."""
        from autograder.harness.local import LocalSubmission
        from autograder.harness.runner import TestSuite
        from autograder.outcomes import score_outcomes

        if task is not None and task not in {t.id for t in self.spec.tasks}:
            known = ", ".join(t.id for t in self.spec.tasks)
            raise ValueError(f"{self.spec.id} has no task {task!r}; its tasks are: {known}")
        checked_namespace, notes = self._checked_namespace()
        namespace = NotebookNamespace(checked_namespace)
        suite = TestSuite(self.spec.tests_dir("public"), assignment=self.spec.root, only_task=task)
        try:
            outcomes = suite.run(lambda: LocalSubmission.of(namespace, self.spec),
                                 seed=seed if seed is not None else int.from_bytes(os.urandom(4), "little"), hidden=False)
        finally:
            suite.close()
        checked = dataclasses.replace(self.spec, tasks=(self.spec.task(task),)) if task else self.spec
        result = score_outcomes(checked, "notebook", outcomes)
        result.notes = notes + result.notes
        return CheckReport(result, f"{self.spec.id}: " + (f"task {task}" if task else "all tasks") + " (public tests)")

    def _checked_namespace(self) -> tuple[dict, list[str]]:
        """What ``check`` tests, and notes for the report: the live namespace, except for a
        question assignment in IPython, whose ``ANSWERS`` are read from the cells run so far
        exactly as the grader reads a submission (literals only, autograder.answer_sheet), so an
        answer the grader cannot read (a function call, a variable) is reported here too."""
        namespace = self.namespace
        history = namespace.get("In")
        if self.spec.question_bank is None or not isinstance(history, list):
            return namespace, []
        from autograder.answer_sheet import read_answer_sheet

        cells = [(f"In [{number}]", source) for number, source in enumerate(history) if isinstance(source, str) and source.strip()]
        sheet = read_answer_sheet(cells, self.spec.question_bank.ids)
        return {"ANSWERS": sheet.answers, "MALFORMED": sheet.malformed}, sheet.notes

    def check_all(self, *, seed: int | None = None) -> CheckReport:
        """Run the public tests of every task."""
        return self.check(None, seed=seed)

    # ------------------------------------------------------------------ export

    def notebook_path(self, notebook: str | os.PathLike | None = None) -> pathlib.Path:
        """The notebook file to export: given, else the one Jupyter/VS Code says, else ``<id>.ipynb`` or the only one here."""
        candidates = [notebook, os.environ.get("JPY_SESSION_NAME"), self.namespace.get("__vsc_ipynb_file__")]
        for candidate in candidates:
            if candidate and str(candidate).endswith(".ipynb"):
                path = pathlib.Path(candidate)
                path = path if path.is_absolute() else self.directory / path
                if path.is_file():
                    return path
                if candidate is notebook:
                    raise FileNotFoundError(f"no notebook at {path}")
        default = self.directory / f"{self.spec.id}.ipynb"
        if default.is_file():
            return default
        found = sorted(p for p in self.directory.glob("*.ipynb"))
        if len(found) == 1:
            return found[0]
        raise FileNotFoundError(f"cannot tell which notebook to export from {self.directory}; pass it: grader.export(notebook='name.ipynb')")

    def _function_origins(self) -> dict[str, str]:
        """Assignment function -> 'notebook', 'module' or 'missing', from the live namespace."""
        origins = {}
        namespace = self.namespace
        for name in self.spec.functions:
            value = namespace.get(name)
            if not callable(value):
                origins[name] = "missing"
            elif getattr(value, "__module__", None) == self.spec.module:
                origins[name] = "module"
            else:
                origins[name] = "notebook"
        return origins

    def export(self, path: str | os.PathLike | None = None, *, notebook: str | os.PathLike | None = None, quiet: bool = False) -> pathlib.Path:
        """Write the submission zip (default ``<id>_submission.zip`` next to the notebook); return its path.

        The notebook is graded, unless its functions come from ``<module>.py``
        (``from batchnorm import *``): then that file is added and graded. Save
        the notebook before exporting: the file on disk is what is exported.
        """
        from autograder.intake import EXPORT_MANIFEST
        from autograder.notebook_code import notebook_to_module

        notebook_file = self.notebook_path(notebook)
        notebook_bytes = notebook_file.read_bytes()
        origins = self._function_origins()
        from_module = sorted(name for name, origin in origins.items() if origin == "module")
        in_notebook = sorted(name for name, origin in origins.items() if origin == "notebook")
        files: dict[str, bytes] = {notebook_file.name: notebook_bytes}
        warnings: list[str] = []
        module_file = self.directory / self.spec.module_file
        if from_module and not in_notebook and module_file.is_file():
            files[self.spec.module_file] = module_file.read_bytes()
            graded = self.spec.module_file
        else:
            graded = notebook_file.name
            if from_module:
                warnings.append(f"{', '.join(from_module)} come from {self.spec.module_file}, but the notebook is graded: define them in the notebook")
            saved, _ = notebook_to_module(notebook_bytes, notebook_file.name)
            unsaved = [name for name in in_notebook if f"def {name}(" not in saved]
            if unsaved:
                warnings.append(f"the saved notebook does not define {', '.join(unsaved)}: save it (Ctrl-S) and export again")
        for extra in self.spec.extra_files:
            extra_path = self.directory / extra
            if extra_path.is_file():
                files[extra] = extra_path.read_bytes()
        manifest = {
            "assignment": self.spec.id,
            "assignment_version": self.spec.version,
            "graded": graded,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)} for name, data in sorted(files.items())},
        }
        target = pathlib.Path(path) if path else notebook_file.parent / f"{self.spec.id}_submission.zip"
        temporary = target.with_name(target.name + ".tmp")
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in sorted(files.items()):
                archive.writestr(name, data)
            archive.writestr(EXPORT_MANIFEST, json.dumps(manifest, indent=1) + "\n")
        os.replace(temporary, target)
        if not quiet:
            print(f"wrote {target} ({', '.join(sorted(files))}; graded: {graded})")
            for warning in warnings:
                print(f"warning: {warning}")
        return target
