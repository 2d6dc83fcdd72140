"""What grading produces, as one typed model both sides import.

Two layers:

- :class:`Outcomes`: what the trusted harness reports for one submission (one
  :class:`TestOutcome` per test, the load error if the submission would not load,
  its printed output, the seed). Written by the harness as JSON, read back by the
  host with :func:`Outcomes.from_json`, which checks every field.
- :class:`SubmissionResult`: what the grader reports about a submission (status,
  one :class:`TaskResult` per task, notes). :func:`score_outcomes` turns outcomes
  into a result; everything downstream (``results.json``, CSV, JUnit, feedback, the
  gradebook) is written from results.

Scoring: a task's score is its points times the fraction of its tests that
passed. A test with no recorded outcome (crash, exit, timeout, a skip asked for by
student code) counts as failed. Statuses (DESIGN.md):

- ``ok``             graded normally, whatever the score;
- ``student_error``  the submission could not be used (intake failed, it would not load);
- ``grader_error``   the grader failed (no outcomes, collection errors, a GPU test
                     that could not run on a GPU run): retried, never recorded as 0.
"""

from __future__ import annotations

import dataclasses
import json

from autograder.errors import GraderFault
from autograder.spec import AssignmentSpec

__all__ = ["OUTCOME_KINDS", "STATUSES", "Outcomes", "SubmissionResult", "TaskResult", "TestOutcome", "empty_tasks", "score_outcomes"]

STATUSES = ("ok", "student_error", "grader_error")
# passed | failed | not_run (no outcome recorded) | grader_skipped (needs what the grader lacks, e.g. a GPU)
# | grader_fault (the test broke because of the grader)
OUTCOME_KINDS = ("passed", "failed", "not_run", "grader_skipped", "grader_fault")
MAX_OUTCOMES_BYTES = 32 << 20


@dataclasses.dataclass
class TestOutcome:
    """One test's outcome, as the harness recorded it."""

    __test__ = False  # not a pytest test class

    name: str
    task: str | None
    outcome: str  # one of OUTCOME_KINDS
    message: str = ""
    doc: str = ""
    duration: float = 0.0
    hints: list[str] = dataclasses.field(default_factory=list)   # ids of the hints that matched (autograder.testing.hints)
    notes: list[str] = dataclasses.field(default_factory=list)   # remarks of a test that passed (autograder.testing.notes)
    data: dict = dataclasses.field(default_factory=dict)         # what the test recorded with record_property

    @classmethod
    def from_dict(cls, raw: dict) -> "TestOutcome":
        outcome = str(raw.get("outcome", "not_run"))
        return cls(
            name=str(raw.get("name", "?"))[:300],
            task=raw.get("task") if isinstance(raw.get("task"), str) else None,
            outcome=outcome if outcome in OUTCOME_KINDS else "not_run",
            message=str(raw.get("message", "")),
            doc=str(raw.get("doc", ""))[:500],
            duration=float(raw.get("duration", 0.0) or 0.0),
            hints=[str(h)[:200] for h in raw.get("hints") or [] if isinstance(h, str)],
            notes=[str(n)[:1000] for n in raw.get("notes") or [] if isinstance(n, str)],
            data=dict(raw["data"]) if isinstance(raw.get("data"), dict) else {},
        )


@dataclasses.dataclass
class Outcomes:
    """Everything the harness reports about one submission's grading."""

    tests: list[TestOutcome]
    seed: int | None = None
    load_error: str | None = None          # the submission would not load (its message)
    load_error_type: str = ""              # the student's exception type at load ("SyntaxError"), as data
    output: str = ""                       # what the submission printed (capped)
    output_truncated: bool = False
    output_limit_kb: int | None = None
    worker_restarts: int = 0
    warnings: list[str] = dataclasses.field(default_factory=list)          # for instructors, not students
    collection_errors: list[str] = dataclasses.field(default_factory=list)  # the tests themselves are broken
    environment: dict = dataclasses.field(default_factory=dict)             # versions, device, determinism settings
    duration: float = 0.0

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=1)

    @classmethod
    def from_dict(cls, payload: dict) -> "Outcomes":
        """From a decoded payload; a malformed one is a :class:`~autograder.errors.GraderFault`."""
        if not isinstance(payload, dict) or not isinstance(payload.get("tests"), list):
            raise GraderFault("the outcomes have no test list")
        limit = payload.get("output_limit_kb")
        return cls(
            tests=[TestOutcome.from_dict(raw) for raw in payload["tests"] if isinstance(raw, dict)],
            seed=payload.get("seed") if isinstance(payload.get("seed"), int) else None,
            load_error=str(payload["load_error"]) if payload.get("load_error") else None,
            load_error_type=str(payload.get("load_error_type") or "")[:100],
            output=str(payload.get("output") or ""),
            output_truncated=bool(payload.get("output_truncated")),
            output_limit_kb=limit if isinstance(limit, int) else None,
            worker_restarts=int(payload.get("worker_restarts") or 0),
            warnings=[str(w)[:500] for w in payload.get("warnings") or []],
            collection_errors=[str(e)[:2000] for e in payload.get("collection_errors") or []],
            environment=dict(payload["environment"]) if isinstance(payload.get("environment"), dict) else {},
            duration=float(payload.get("duration") or 0.0),
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> "Outcomes":
        if len(data) > MAX_OUTCOMES_BYTES:
            raise GraderFault("the outcomes file is too large")
        try:
            payload = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise GraderFault(f"the outcomes file is not valid JSON: {exc}") from None
        return cls.from_dict(payload)


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
    sandbox: str = ""             # the sandbox that graded it ("bwrap", never "auto")
    owner: str = ""               # who submitted it, where the batch knows (Gradescope metadata)
    environment: dict = dataclasses.field(default_factory=dict)  # versions, device, determinism settings of the run

    @property
    def score(self) -> float:
        return round(sum(task.score for task in self.tasks), 6)

    @property
    def max_score(self) -> float:
        return sum(task.max_score for task in self.tasks)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "SubmissionResult":
        """Inverse of :meth:`to_json` (older records without the newer fields load too)."""
        data = json.loads(text)
        tasks = []
        for raw_task in data.pop("tasks", []):
            tests = [TestOutcome.from_dict(raw_test) for raw_test in raw_task.pop("tests", [])]
            tasks.append(TaskResult(**raw_task, tests=tests))
        known = {field.name for field in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known}, tasks=tasks)


def empty_tasks(spec: AssignmentSpec) -> list[TaskResult]:
    return [TaskResult(task.id, task.title, task.points) for task in spec.tasks]


def score_outcomes(spec: AssignmentSpec, name: str, outcomes: Outcomes | dict, *, gpu_requested: bool = False) -> SubmissionResult:
    """Turn the harness's outcomes into a :class:`SubmissionResult`."""
    if isinstance(outcomes, dict):
        outcomes = Outcomes.from_dict(outcomes)
    tasks = {task.id: TaskResult(task.id, task.title, task.points) for task in spec.tasks}
    grader_problems: list[str] = list(outcomes.collection_errors)
    gpu_skipped: dict[str, int] = {}  # task -> GPU tests not run
    for test in outcomes.tests:
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
                gpu_skipped[task.id] = gpu_skipped.get(task.id, 0) + 1
            continue
        task.tests.append(test)
        task.total += 1
        if test.outcome == "passed":
            task.passed += 1
        for note in test.notes:
            if note not in task.notes:
                task.notes.append(note)
    for task in tasks.values():
        if task.total == 0:
            grader_problems.append(f"task {task.id} has no tests that ran")
        else:
            task.score = round(task.max_score * task.passed / task.total, 6)
    gpu_notes = [f"{task_id}: {count} test{'s' if count > 1 else ''} that need{'' if count > 1 else 's'} a GPU "
                 f"{'were' if count > 1 else 'was'} not run (grade with --gpus to include {'them' if count > 1 else 'it'})"
                 for task_id, count in gpu_skipped.items()]
    result = SubmissionResult(
        name=name,
        assignment=spec.id,
        status="ok",
        tasks=list(tasks.values()),
        notes=gpu_notes,
        output=outcomes.output,
        output_truncated=outcomes.output_truncated,
        output_limit_kb=outcomes.output_limit_kb,
        seed=outcomes.seed,
        warnings=list(outcomes.warnings),
        environment=dict(outcomes.environment),
    )
    if grader_problems:
        result.status = "grader_error"
        result.message = "the grader failed: " + "; ".join(grader_problems)[:2000]
    elif outcomes.load_error:
        result.status = "student_error"
        result.message = outcomes.load_error
    return result
