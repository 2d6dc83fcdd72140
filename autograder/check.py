"""``autograder check``: a student's quick local run of the public tests (in-process, no sandbox).

Speed and clear messages matter here, not security: the student's own code runs
in this process. Notebooks are read exactly as the grader reads them, so what
passes here is what the grader sees. Every package of the student's machine is
importable here, so imports the grader refuses (torch, or anything outside the
assignment's ``student_packages``) are found by a static scan and reported as
notes: the code that passes here would not load when graded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import pathlib
import tempfile

from autograder.harness.scoring import SubmissionResult, score_outcomes
from autograder.intake import intake
from autograder.spec import AssignmentSpec
from autograder.student_imports import refused_imports

__all__ = ["format_check_table", "run_check"]


def run_check(spec: AssignmentSpec, submission: pathlib.Path, *, tests: str = "public", task: str | None = None, seed: int | None = None) -> SubmissionResult:
    """Run the public (or, for instructors, hidden) tests in-process; return scored results."""
    import pytest

    from autograder.harness.run import pytest_args

    bundle = intake(submission, spec)
    import_notes = [f"this import fails when graded: {refused}" for refused in refused_imports(spec.import_rule, bundle.directory)]
    try:
        with tempfile.TemporaryDirectory() as scratch:
            outcomes_path = pathlib.Path(scratch) / "outcomes.json"
            args = pytest_args(spec.tests_dir(tests), submission=str(bundle.directory / spec.module_file), assignment=str(spec.root),
                               outcomes=str(outcomes_path), mode="local", seed=seed, hidden=tests == "hidden")
            if task:
                args += ["--ag-only-task", task]
            with contextlib.redirect_stdout(io.StringIO()):
                pytest.main(args)
            outcomes = json.loads(outcomes_path.read_text())
    finally:
        bundle.cleanup()
    scored_spec = dataclasses.replace(spec, tasks=(spec.task(task),)) if task else spec
    result = score_outcomes(scored_spec, bundle.name, outcomes)
    result.notes = import_notes + bundle.notes + result.notes
    return result


def format_check_table(result: SubmissionResult, tests: str = "public") -> str:
    """Plain-text table: one line per task, then what failed and why. ``tests``: ``"public"`` or ``"hidden"``."""
    lines = []
    for note in result.notes:
        lines.append(f"note: {note}")
    width = max((len(task.id) for task in result.tasks), default=4)
    for task in result.tasks:
        mark = "PASS" if task.complete else ("----" if task.total == 0 else "FAIL")
        lines.append(f"{mark}  {task.id:<{width}}  {task.passed}/{task.total} tests  {task.title}")
    for task in result.tasks:
        for test in task.tests:
            if test.outcome != "passed":
                lines.append(f"\n[{task.id}] {test.doc or test.name}\n    " + (test.message or "failed").replace("\n", "\n    "))
    passed = sum(task.passed for task in result.tasks)
    total = sum(task.total for task in result.tasks)
    lines.append(f"\n{passed}/{total} {tests} tests passed")
    return "\n".join(lines)
