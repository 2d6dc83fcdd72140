"""Outcomes per test -> scores per task, and the submission's status.

A task's score is its points times the fraction of its tests that passed. A test
with no recorded outcome (crash, exit, timeout, a skip asked for by student code)
counts as failed. Statuses (DESIGN.md):

- ``ok``             graded normally, whatever the score;
- ``student_error``  the submission could not be used (intake failed, it would not load);
- ``grader_error``   the grader failed (no outcomes, collection errors, a GPU test
                     that could not run on a GPU run): retried, never recorded as 0.
"""

from __future__ import annotations

import dataclasses

from autograder.spec import AssignmentSpec

__all__ = ["STATUSES", "SubmissionResult", "TaskResult", "TestOutcome", "score_outcomes"]

STATUSES = ("ok", "student_error", "grader_error")


@dataclasses.dataclass
class TestOutcome:
    name: str
    task: str | None
    outcome: str  # passed | failed | not_run | grader_skipped | grader_fault
    message: str = ""
    doc: str = ""
    duration: float = 0.0
    data: dict = dataclasses.field(default_factory=dict)  # what the test recorded (record_property), for instructors


@dataclasses.dataclass
class TaskResult:
    id: str
    title: str
    max_score: float
    score: float = 0.0
    passed: int = 0
    total: int = 0
    tests: list[TestOutcome] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.passed == self.total


@dataclasses.dataclass
class SubmissionResult:
    """Everything reported about one submission."""

    name: str
    assignment: str
    status: str
    tasks: list[TaskResult]
    message: str = ""
    notes: list[str] = dataclasses.field(default_factory=list)
    output: str = ""
    output_truncated: bool = False
    output_limit_kb: int | None = None
    seed: int | None = None
    execution_time: float = 0.0
    attempts: int = 1
    submission_hash: str = ""
    assignment_version: str = ""  # autograder.spec.assignment_version of what it was graded with
    warnings: list[str] = dataclasses.field(default_factory=list)  # for instructors (a weakened sandbox), not students

    @property
    def score(self) -> float:
        return round(sum(task.score for task in self.tasks), 6)

    @property
    def max_score(self) -> float:
        return sum(task.max_score for task in self.tasks)


def empty_tasks(spec: AssignmentSpec) -> list[TaskResult]:
    return [TaskResult(task.id, task.title, task.points) for task in spec.tasks]


def score_outcomes(spec: AssignmentSpec, name: str, outcomes: dict, *, gpu_requested: bool = False) -> SubmissionResult:
    """Turn the harness's outcomes payload into a :class:`SubmissionResult`."""
    tasks = {task.id: TaskResult(task.id, task.title, task.points) for task in spec.tasks}
    grader_problems: list[str] = list(outcomes.get("collection_errors") or [])
    gpu_notes: list[str] = []
    for raw in outcomes.get("tests", []):
        test = TestOutcome(
            name=str(raw.get("name", "?")),
            task=raw.get("task"),
            outcome=str(raw.get("outcome", "not_run")),
            message=str(raw.get("message", "")),
            doc=str(raw.get("doc", "")),
            duration=float(raw.get("duration", 0.0)),
            data=dict(raw["data"]) if isinstance(raw.get("data"), dict) else {},
        )
        if test.task not in tasks:
            grader_problems.append(f"test {test.name} names no known task ({test.task!r})")
            continue
        task = tasks[test.task]
        if test.outcome == "grader_fault":
            grader_problems.append(f"{test.name}: {test.message}")
            continue
        if test.outcome == "grader_skipped":
            if gpu_requested:
                grader_problems.append(f"{test.name}: {test.message}")
            else:
                gpu_notes.append(f"{task.id}: {test.name} needs a GPU and was not run (grade with --gpus to include it)")
            continue
        task.tests.append(test)
        task.total += 1
        if test.outcome == "passed":
            task.passed += 1
    for task in tasks.values():
        if task.total == 0:
            grader_problems.append(f"task {task.id} has no tests that ran")
        else:
            task.score = round(task.max_score * task.passed / task.total, 6)
    result = SubmissionResult(
        name=name,
        assignment=spec.id,
        status="ok",
        tasks=list(tasks.values()),
        notes=gpu_notes,
        output=str(outcomes.get("output", "")),
        output_truncated=bool(outcomes.get("output_truncated")),
        output_limit_kb=outcomes.get("output_limit_kb") if isinstance(outcomes.get("output_limit_kb"), int) else None,
        seed=outcomes.get("seed"),
        warnings=[str(w)[:500] for w in outcomes.get("warnings") or []],
    )
    load_error = outcomes.get("load_error")
    if grader_problems:
        result.status = "grader_error"
        result.message = "the grader failed: " + "; ".join(grader_problems)[:2000]
    elif load_error:
        result.status = "student_error"
        result.message = str(load_error)
    return result
