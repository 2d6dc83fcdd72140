"""``autograder classroom ID``: grade a student's repository in GitHub Actions, report to GitHub Classroom.

GitHub Classroom's autograding reads points from its reporter action,
``classroom-resources/autograding-grading-reporter``: for each *runner* id in its
``runners`` input it reads the environment variable ``<RUNNER ID IN CAPITALS>_RESULTS``,
base64 of a JSON object (the format of ``autograding-command-grader`` and
``autograding-python-grader``)::

    {"version": 1, "status": "pass" | "fail" | "error", "max_score": 3,
     "tests": [{"name": ..., "status": "pass" | "fail" | "error", "score": 0.5, "message": ...,
                "test_code": "", "filename": "", "line_no": 0, "duration": 12}]}

and reports ``Points <sum of tests[].score>/<sum of max_score>`` to Classroom (its
console table shows ``passed tests / tests * max_score`` per runner). So each task
is one runner whose tests are the task's hidden tests, together worth
the task's score (carried by its first passed test): both sums give the task's score. A runner with no
``max_score`` is left out of the points; a grader fault therefore reports every
runner with ``max_score`` 0 and status ``error``: the reporter fails the job and
sends no points, so a grader fault is never recorded as 0.

This command writes, in the GitHub Actions files named by the environment:

- ``$GITHUB_ENV``: ``<TASK>_RESULTS=<base64>`` per task, for the reporter step;
- ``$GITHUB_OUTPUT``: ``runners=<task,task,...>``, ``points``, ``max-points``, ``status``;
- ``$GITHUB_STEP_SUMMARY``: a Markdown summary (per-task table, diagnosed mistakes, failures);

and prints ``Points X/Y``. Outside Actions (no such variables) it only prints.
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
import re

from autograder.outcomes import SubmissionResult
from autograder.results import clean_text
from autograder.spec import AssignmentSpec

__all__ = ["SubmissionNotFound", "choose_file", "encode", "owner_from_github", "reporter_payloads", "run_classroom", "step_summary", "write_actions_files"]

HINT = re.compile(r"It looks like you (.+?)\.(?=\s|$)")


class SubmissionNotFound(RuntimeError):
    """The repository holds nothing to grade; the message says what was looked for."""


def choose_file(repository: pathlib.Path, spec: AssignmentSpec, named: str | None = None) -> pathlib.Path:
    """The file of ``repository`` to grade: ``named`` if given, else ``<module>.py``, unless it is
    still the released stub and ``<id>.ipynb`` exists (the student worked in the notebook).

    Only files at the top of the repository are considered, never a folder: the
    grader's own checkout (hidden tests, reference) may sit inside the workspace.
    """
    from autograder.release import make_stub

    if named:
        path = repository / named
        if not path.is_file() or path.resolve().parent != repository.resolve():
            raise SubmissionNotFound(f"no file {named} at the top of the repository")
        return path
    module = repository / spec.module_file
    notebook = repository / f"{spec.id}.ipynb"
    if module.is_file() and notebook.is_file():
        reference = spec.root / spec.module_file
        stub = make_stub(reference.read_text(encoding="utf-8"), spec, spec.module_file) if reference.is_file() else None
        if stub is not None and module.read_text(encoding="utf-8", errors="replace").strip() == stub.strip():
            return notebook
        return module
    for candidate in (module, notebook):
        if candidate.is_file():
            return candidate
    raise SubmissionNotFound(f"the repository has neither {spec.module_file} nor {spec.id}.ipynb at its top")


def _runner_id(task_id: str) -> str:
    return task_id


def _test_entries(task) -> list[dict]:
    """One reporter test per hidden test; the first passed one carries the task's score, the others 0.

    Classroom adds up ``score`` in JavaScript floats: shares such as 3/13 would turn
    full marks into 15.999999999999995. One number per task keeps full marks exact;
    the reporter shows no per-test score, only pass or fail.
    """
    entries = []
    carried = False
    for test in task.tests:
        ok = test.outcome == "passed"
        score = round(task.score, 4) if ok and not carried else 0
        carried = carried or ok
        entries.append({
            "name": clean_text(test.doc or test.name, 200),
            "status": "pass" if ok else "fail",
            "score": score,
            "message": "" if ok else clean_text(test.message or "failed", 2000),
            "test_code": "",
            "filename": "",
            "line_no": 0,
            "duration": int(test.duration * 1000),
        })
    return entries


def reporter_payloads(result: SubmissionResult) -> list[tuple[str, dict]]:
    """``(runner id, results object)`` per task, in the reporter's format."""
    runners = []
    for task in result.tasks:
        if result.status == "grader_error":
            payload = {"version": 1, "status": "error", "max_score": 0,
                       "tests": [{"name": task.title, "status": "error", "score": 0, "line_no": 0, "test_code": "",
                                  "message": "The grader failed, not your code; no points are recorded. Push again or ask staff. "
                                             + clean_text(result.message, 500)}]}
        elif task.total == 0:  # the submission could not be used: the student's own 0
            payload = {"version": 1, "status": "fail", "max_score": task.max_score,
                       "tests": [{"name": task.title, "status": "fail", "score": 0, "line_no": 0, "test_code": "",
                                  "message": clean_text(result.message or "no tests ran", 2000)}]}
        else:
            payload = {"version": 1, "status": "pass" if task.complete else "fail", "max_score": task.max_score,
                       "tests": _test_entries(task)}
        runners.append((_runner_id(task.id), payload))
    return runners


def encode(payload: dict) -> str:
    """What the reporter decodes: base64 of the JSON text."""
    return base64.b64encode(json.dumps(payload, ensure_ascii=False).encode("utf-8")).decode("ascii")


def _hints(task) -> list[str]:
    found: dict[str, None] = {}
    for test in task.tests:
        for match in HINT.finditer(test.message or ""):
            found.setdefault(match.group(1), None)
    return list(found)


def _cell(text: str) -> str:
    return clean_text(text, 300).replace("|", "\\|").replace("\n", " ")


def step_summary(result: SubmissionResult, graded_file: str) -> str:
    """The job summary: points, a table per task with the diagnosed mistakes, then what failed."""
    lines = [f"## {result.assignment}: {_cell(graded_file)}", ""]
    if result.status == "grader_error":
        lines += ["**The grader failed, not your code.** No points were recorded; push again, or tell the course staff.", "",
                  "```", clean_text(result.message, 3000).replace("```", "'''"), "```", ""]
        return "\n".join(lines)
    lines += [f"**Points: {result.score:g} / {result.max_score:g}**", ""]
    if result.status == "student_error":
        lines += [f"**Your submission could not be used:** {_cell(result.message)}", ""]
    lines += ["| task | points | tests passed | diagnosed mistakes |", "|---|---|---|---|"]
    for task in result.tasks:
        mark = "✅" if task.complete else "❌"
        hints = "; ".join(f"it looks like you {_cell(hint)}" for hint in _hints(task)) or ""
        lines.append(f"| {mark} {_cell(task.title)} (`{task.id}`) | {task.score:g} / {task.max_score:g} | {task.passed}/{task.total} | {hints} |")
    lines.append("")
    for note in result.notes:
        lines.append(f"> {_cell(note)}")
    failing = [task for task in result.tasks if any(test.outcome != "passed" for test in task.tests)]
    if failing:
        lines += ["", "### What failed", ""]
        for task in failing:
            lines += [f"<details><summary>{_cell(task.title)} (<code>{task.id}</code>): "
                      f"{task.total - task.passed} of {task.total} tests failed</summary>", ""]
            for test in task.tests:
                if test.outcome != "passed":
                    message = clean_text(test.message or "failed", 1500).replace("\n", " ")
                    lines.append(f"- **{_cell(test.doc or test.name)}**: {message}")
            lines += ["", "</details>", ""]
    lines += ["", f"Check your work before pushing: `autograder check {_cell(graded_file)}` (public tests).", ""]
    return "\n".join(lines)


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


def write_actions_files(result: SubmissionResult, graded_file: str, environ: dict | None = None) -> list[tuple[str, dict]]:
    """Write ``$GITHUB_ENV``, ``$GITHUB_OUTPUT`` and ``$GITHUB_STEP_SUMMARY`` (those that are set)."""
    environ = os.environ if environ is None else environ
    runners = reporter_payloads(result)
    _append(environ.get("GITHUB_ENV"), "".join(f"{runner.upper()}_RESULTS={encode(payload)}\n" for runner, payload in runners))
    points = "" if result.status == "grader_error" else f"{result.score:g}"
    _append(environ.get("GITHUB_OUTPUT"), f"runners={','.join(runner for runner, _ in runners)}\n"
                                          f"points={points}\nmax-points={result.max_score:g}\nstatus={result.status}\n")
    _append(environ.get("GITHUB_STEP_SUMMARY"), step_summary(result, graded_file))
    return runners


def owner_from_github(environ: dict) -> "SubmissionOwner | None":
    """The student: the account that pushed (``GITHUB_ACTOR``), with the repository for context."""
    from autograder.owner import SubmissionOwner

    actor = environ.get("GITHUB_ACTOR", "").strip()
    return SubmissionOwner(id=actor, name=actor, members=(actor,), source="github") if actor else None


def run_classroom(spec: AssignmentSpec, repository: pathlib.Path, named: str | None = None, sandbox: str = "auto",
                  seed: int | None = None, environ: dict | None = None) -> SubmissionResult:
    """Grade the repository's submission file, print the points, write the Actions files."""
    from autograder.formats.one_submission import choose_sandbox, grade_submission
    from autograder.outcomes import empty_tasks
    from autograder.owner import ENV_VAR
    from autograder.scratch import enter_run_scratch

    environ = os.environ if environ is None else environ
    owner = owner_from_github(environ)
    if owner is not None:
        os.environ[ENV_VAR] = owner.to_json()  # for the harness (the `owner` fixture)
    try:
        path = choose_file(repository, spec, named)
    except SubmissionNotFound as exc:
        result = SubmissionResult(name=repository.name, assignment=spec.id, status="student_error", tasks=empty_tasks(spec), message=str(exc))
        graded = named or spec.module_file
    else:
        graded = path.name
        print(f"grading {graded} of {repository.resolve().name} for {owner.id if owner else 'an unknown student'} with the hidden tests of {spec.id}", flush=True)
        sandbox_name = choose_sandbox(sandbox)
        enter_run_scratch()
        result = grade_submission(spec, path, owner.id if owner else repository.resolve().name, sandbox_name, seed)
    for task in result.tasks:
        print(f"  {'PASS' if task.complete else 'FAIL'}  {task.id}: {task.score:g} / {task.max_score:g} ({task.passed}/{task.total} tests)")
    if result.status == "grader_error":
        print(f"The grader failed, not the submission; no points are reported: {result.message[:1000]}")
    else:
        if result.status == "student_error":
            print(f"The submission could not be used: {result.message[:1000]}")
        print(f"Points {result.score:g}/{result.max_score:g}")
    write_actions_files(result, graded, environ)
    return result
