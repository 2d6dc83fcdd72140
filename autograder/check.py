"""``autograder check``: a student's quick local run of the public tests (in-process, no sandbox).

Speed and clear messages matter here, not security: the student's own code runs
in this process. Notebooks are read exactly as the grader reads them, so what
passes here is what the grader sees. Every package of the student's machine is
importable here, so imports the grader refuses (torch, or anything outside the
assignment's ``student_packages``) are found by a static scan and reported as
notes: the code that passes here would not load when graded.
"""

from __future__ import annotations

import dataclasses
import html
import os
import pathlib

from autograder.outcomes import SubmissionResult, score_outcomes
from autograder.intake import intake
from autograder.spec import AssignmentSpec
from autograder.student_imports import refused_imports

__all__ = ["CheckReport", "format_check_table", "run_check"]


def run_check(spec: AssignmentSpec, submission: pathlib.Path, *, tests: str = "public", task: str | None = None, seed: int | None = None) -> SubmissionResult:
    """Run the public (or, for instructors, hidden) tests in-process; return scored results."""
    from autograder.harness.local import LocalSubmission, load_module_from_file
    from autograder.harness.runner import TestSuite

    bundle = intake(submission, spec)
    import_notes = [f"this import fails when graded: {refused}" for refused in refused_imports(spec.import_rule, bundle.directory)]
    module_file = bundle.directory / spec.module_file
    try:
        suite = TestSuite(spec.tests_dir(tests), assignment=spec.root, only_task=task)
        try:
            outcomes = suite.run(lambda: LocalSubmission.of(load_module_from_file(module_file), spec),
                                 seed=seed if seed is not None else int.from_bytes(os.urandom(4), "little"), hidden=tests == "hidden")
        finally:
            suite.close()
    finally:
        bundle.cleanup()
    scored_spec = dataclasses.replace(spec, tasks=(spec.task(task),)) if task else spec
    result = score_outcomes(scored_spec, bundle.name, outcomes)
    result.notes = import_notes + bundle.notes + result.notes
    return result


def _teaching_message(message: str) -> str:
    """A failure message, with a stub's ``NotImplementedError`` said plainly."""
    if "NotImplementedError" in message:
        detail = message.split("NotImplementedError:", 1)[-1].strip().splitlines()[0] if "NotImplementedError:" in message else ""
        return f"not implemented yet ({detail})" if detail else "not implemented yet"
    return message or "failed"


class CheckReport:
    """The outcome of :meth:`Notebook.check`: a pass/fail table per task with the teaching messages.

    Shown as HTML in Jupyter (``_repr_html_``) and as plain text elsewhere
    (``str``/``repr``). ``passed`` is true when every test of every task passed.
    """

    def __init__(self, result: SubmissionResult, title: str, tests: str = "public"):
        self.result = result
        self.title = title
        self.tests = tests

    @property
    def passed(self) -> bool:
        return self.result.status == "ok" and all(task.complete for task in self.result.tasks)

    def failures(self) -> list[tuple[str, str, str]]:
        """``(task_id, test, message)`` for every test that did not pass."""
        found = []
        for task in self.result.tasks:
            for test in task.tests:
                if test.outcome != "passed":
                    found.append((task.id, test.doc or test.name, _teaching_message(test.message)))
        return found

    def __str__(self) -> str:
        lines = [self.title] if self.title else []
        lines += [f"note: {note}" for note in self.result.notes]
        if self.result.status != "ok" and self.result.message:
            lines.append(f"error: {self.result.message}")
        width = max((len(task.id) for task in self.result.tasks), default=4)
        for task in self.result.tasks:
            mark = "PASS" if task.complete else ("----" if task.total == 0 else "FAIL")
            lines.append(f"{mark}  {task.id:<{width}}  {task.passed}/{task.total} tests  {task.title}")
        for task_id, test, message in self.failures():
            lines.append(f"\n[{task_id}] {test}\n    " + message.replace("\n", "\n    "))
        passed = sum(task.passed for task in self.result.tasks)
        total = sum(task.total for task in self.result.tasks)
        lines.append(f"\n{passed}/{total} {self.tests} tests passed")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        escape = html.escape
        rows = []
        for task in self.result.tasks:
            if task.complete:
                mark, colour = "&#10004; pass", "#1a7f37"
            elif task.total == 0:
                mark, colour = "no tests", "#6e7781"
            else:
                mark, colour = "&#10008; fail", "#cf222e"
            rows.append(f"<tr><td><code>{escape(task.id)}</code></td><td>{escape(task.title)}</td>"
                        f"<td style='color:{colour};font-weight:bold'>{mark}</td><td>{task.passed}/{task.total}</td></tr>")
        parts = [f"<div><b>{escape(self.title)}</b>"]
        parts += [f"<div style='color:#6e7781'>note: {escape(note)}</div>" for note in self.result.notes]
        if self.result.status != "ok" and self.result.message:
            parts.append(f"<div style='color:#cf222e'>error: {escape(self.result.message)}</div>")
        parts.append("<table><tr><th>task</th><th>what</th><th>result</th><th>tests</th></tr>" + "".join(rows) + "</table>")
        for task_id, test, message in self.failures():
            parts.append(f"<details open><summary><code>{escape(task_id)}</code>: {escape(test)}</summary>"
                         f"<pre style='white-space:pre-wrap'>{escape(message)}</pre></details>")
        return "\n".join(parts) + "</div>"




def format_check_table(result: SubmissionResult, tests: str = "public") -> str:
    """Plain-text table: one line per task, then what failed and why. ``tests``: ``"public"`` or ``"hidden"``."""
    return str(CheckReport(result, "", tests=tests))
