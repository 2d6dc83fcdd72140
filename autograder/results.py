"""Submission results -> Gradescope ``results.json``, ``feedback.md``, ``grades.csv``, JUnit XML.

Only the trusted grader writes these files, from :class:`SubmissionResult`
objects; nothing a submission printed is parsed. Every text that came from a
submission (messages, printed output) is cleaned to valid UTF-8 without control
characters before it is written.
"""

from __future__ import annotations

import csv
import json
import pathlib
import re
import xml.etree.ElementTree as ET

from autograder import __version__
from autograder.outcomes import SubmissionResult

__all__ = ["clean_text", "feedback_markdown", "gradescope_json", "write_csv", "write_junit", "write_submission_files"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str, limit: int | None = None) -> str:
    """Valid UTF-8, no control characters (tabs and newlines kept), optionally capped."""
    text = text.encode("utf-8", errors="replace").decode("utf-8", errors="replace")
    text = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)
    if limit is not None and len(text) > limit:
        text = text[:limit] + f"\n... (truncated at {limit} characters)"
    return text


def _task_output(task) -> str:
    lines = [f"{task.passed}/{task.total} tests passed."]
    failures = [test for test in task.tests if test.outcome != "passed"]
    messages = {test.message for test in failures}
    if len(failures) > 1 and len(messages) == 1:
        lines.append(f"- all {len(failures)} failed: {failures[0].message or 'failed'}")
        failures = []
    for test in failures:
        label = test.doc or test.name
        lines.append(f"- {label}: {test.message or 'failed'}")
    lines += [f"- note: {note}" for note in task.notes]
    return clean_text("\n".join(lines), 8000)


def gradescope_json(result: SubmissionResult) -> dict:
    """The Gradescope autograder schema: one test entry per task.

    A grader error has no ``score`` and no tests, so Gradescope reports a failed
    autograder run (staff are alerted) instead of recording a zero.
    """
    payload: dict = {
        "execution_time": round(result.execution_time, 3),
        "output": clean_text(_summary(result), 20000),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {
            "status": result.status,
            "assignment": result.assignment,
            "seed": result.seed,
            "grader_version": __version__,
            "assignment_version": result.assignment_version,
            "attempts": result.attempts,
            "submission_hash": result.submission_hash,
            "sandbox": result.sandbox,
            "environment": result.environment,  # versions, device, determinism settings (TF32 off on a GPU)
            "warnings": result.warnings,
        },
    }
    if result.status == "grader_error":
        payload["tests"] = []
        return payload
    payload["score"] = result.score
    payload["tests"] = [
        {
            "name": task.title,
            "score": task.score,
            "max_score": task.max_score,
            "status": "passed" if task.score >= task.max_score else "failed",
            "output": _task_output(task),
            "visibility": "visible",
            "tags": [task.id],
        }
        for task in result.tasks
    ]
    return payload


def _summary(result: SubmissionResult) -> str:
    if result.status == "grader_error":
        return f"Grading failed because of the grader, not your submission; it will be graded again.\n{result.message}"
    lines = [f"Score: {result.score:g} / {result.max_score:g}"]
    if result.status == "student_error":
        lines.append(f"Your submission could not be graded: {result.message}")
    lines += [f"Note: {note}" for note in result.notes]
    if result.output_truncated:
        lines.append(f"Printed output {_truncation_note(result)}.")
    return "\n".join(lines)


def _truncation_note(result: SubmissionResult) -> str:
    from autograder.spec import format_size

    limit = f" at {format_size(result.output_limit_kb / 1024)}" if result.output_limit_kb else ""
    return f"truncated{limit}"


def feedback_markdown(result: SubmissionResult) -> str:
    """A page a student can read: score, a table of tasks, what failed and why."""
    lines = [f"# {result.assignment}: feedback for {clean_text(result.name, 200)}", ""]
    if result.status == "grader_error":
        lines += ["**Grading failed because of the grader, not your submission.** It will be graded again.", "", clean_text(result.message, 4000)]
        return "\n".join(lines) + "\n"
    lines += [f"**Score: {result.score:g} / {result.max_score:g}**", ""]
    if result.status == "student_error":
        lines += [f"**Your submission could not be used:** {clean_text(result.message, 4000)}", ""]
    for note in result.notes:
        lines.append(f"- {clean_text(note, 2000)}")
    if result.notes:
        lines.append("")
    lines += ["| task | score | tests passed |", "|---|---|---|"]
    for task in result.tasks:
        lines.append(f"| {task.title} (`{task.id}`) | {task.score:g} / {task.max_score:g} | {task.passed}/{task.total} |")
    lines.append("")
    for task in result.tasks:
        failures = [test for test in task.tests if test.outcome != "passed"]
        if not failures and not task.notes:
            continue
        lines += [f"## {task.title}", ""]
        for test in failures:
            message = clean_text(test.message or "failed", 2000).replace("\n", "\n  ")
            lines.append(f"- **{clean_text(test.doc or test.name, 200)}**: {message}")
        lines += [f"- note: {clean_text(note, 1000)}" for note in task.notes]
        lines.append("")
    if result.output:
        note = f" ({_truncation_note(result)})" if result.output_truncated else ""
        lines += [f"## Printed output{note}", "", "```", clean_text(result.output, 20000).replace("```", "'''"), "```", ""]
    elif result.output_truncated:
        lines += [f"Printed output {_truncation_note(result)}.", ""]
    return "\n".join(lines) + "\n"


def _csv_cell(text: str) -> str:
    """Defuse spreadsheet formulas in names that come from file names."""
    text = clean_text(text, 500).replace("\n", " ")
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_csv(path: pathlib.Path, results: list[SubmissionResult], task_ids: list[str]) -> None:
    """One row per submission: name, status, total, max, one column per task. Grader errors leave scores empty."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "status", "total", "max", *task_ids])
        for result in sorted(results, key=lambda r: r.name):
            scores = {task.id: task.score for task in result.tasks}
            if result.status == "grader_error":
                writer.writerow([_csv_cell(result.name), result.status, "", f"{result.max_score:g}", *["" for _ in task_ids]])
            else:
                writer.writerow([_csv_cell(result.name), result.status, f"{result.score:g}", f"{result.max_score:g}", *[f"{scores.get(t, 0):g}" for t in task_ids]])


def write_junit(path: pathlib.Path, results: list[SubmissionResult]) -> None:
    """JUnit XML: a test suite per submission, a test case per test (class name = task)."""
    suites = ET.Element("testsuites", name="autograder")
    for result in sorted(results, key=lambda r: r.name):
        tests = [(task, test) for task in result.tasks for test in task.tests]
        failures = sum(1 for _, test in tests if test.outcome != "passed")
        suite = ET.SubElement(suites, "testsuite", name=clean_text(result.name, 200), tests=str(len(tests)), failures=str(failures),
                              errors="1" if result.status != "ok" else "0", time=f"{result.execution_time:.3f}")
        if result.status != "ok":
            case = ET.SubElement(suite, "testcase", classname=result.assignment, name="submission")
            ET.SubElement(case, "error", message=clean_text(result.status), type=result.status).text = clean_text(result.message, 4000)
        for task, test in tests:
            case = ET.SubElement(suite, "testcase", classname=f"{result.assignment}.{task.id}", name=clean_text(test.name, 200), time=f"{test.duration:.3f}")
            if test.outcome != "passed":
                ET.SubElement(case, "failure", message=clean_text(test.message, 500).split("\n")[0]).text = clean_text(test.message, 4000)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


def write_submission_files(out_dir: pathlib.Path, result: SubmissionResult) -> pathlib.Path:
    """``out_dir/<name>/results.json`` and ``feedback.md``; returns that folder."""
    folder = out_dir / result.name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(gradescope_json(result), indent=2, ensure_ascii=False), encoding="utf-8")
    (folder / "feedback.md").write_text(feedback_markdown(result), encoding="utf-8")
    return folder
