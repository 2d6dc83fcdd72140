"""What a class did on one assignment: :func:`assignment_stats` over the latest result of each submission.

Everything is counted from :class:`~autograder.outcomes.SubmissionResult`
objects (``Gradebook.latest_results``); nothing is re-graded.

- scores: of graded submissions (``ok`` and ``student_error``; a ``grader_error`` has none);
- per task: the mean fraction of its points, and the share of submissions that got all of it;
- per test: the share of ``ok`` submissions that passed it;
- failure messages: grouped once numbers are blanked (``max abs error 0.0184`` and
  ``0.113`` are one message), counted by submission;
- diagnosed mistakes: the hints that fired (``It looks like you <description>.`` in a
  message, written by ``autograder.testing.assert_close``, or ``data["hint"]``), and
  the generic diagnoses (sign flipped, off by a factor), counted by submission;
- concept questions: tests whose outcome carries ``data`` with an ``answer`` or a
  ``verdict`` (pytest's ``record_property``; the ``concepts`` assignment records
  ``verdict`` = right / wrong / unanswered / malformed and the normalised
  ``answer``): per question, the share right, the share not answered (or not
  readable), and the most common wrong answers.
"""

from __future__ import annotations

import collections
import dataclasses
import re
import statistics

from autograder.outcomes import SubmissionResult

__all__ = ["AssignmentStats", "ConceptQuestion", "assignment_stats", "message_pattern", "outcome_data"]

HINT = re.compile(r"It looks like you (.+?)\.(?=\s|$)")
GENERIC_DIAGNOSES = {
    "The sign is flipped.": "flipped the sign",
    "Off by a constant factor: an extra division by the batch size?": "divided by the batch size once too often",
    "Off by a factor of N: a missing division by the batch size?": "forgot to divide by the batch size",
}
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_INDEX = re.compile(r"\(\s*#(?:\s*,\s*#)*\s*,?\s*\)")


def message_pattern(message: str) -> str:
    """A failure message with its numbers blanked and only its first line: what many submissions share."""
    first = (message or "failed").strip().splitlines()[0] if (message or "").strip() else "failed"
    first = HINT.sub("", first)
    for generic in GENERIC_DIAGNOSES:
        first = first.replace(generic, "")
    pattern = _INDEX.sub("(#)", _NUMBER.sub("#", first))
    return re.sub(r"\s+", " ", pattern).strip(" .") or "failed"


def outcome_data(test) -> dict:
    """A test outcome's structured data (``record_property``), as a dict; {} when it has none."""
    data = getattr(test, "data", None)
    if isinstance(data, dict):
        return data
    if isinstance(data, (list, tuple)):
        try:
            return dict(data)
        except (TypeError, ValueError):
            return {}
    return {}


@dataclasses.dataclass
class TaskStats:
    id: str
    title: str
    points: float
    mean_fraction: float      # mean of score / points over graded submissions
    complete_share: float     # share of graded submissions with all its points
    graded: int


@dataclasses.dataclass
class TestStats:
    task: str
    name: str
    label: str                # the test's docstring line, else its name
    passed: int
    total: int

    @property
    def pass_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


@dataclasses.dataclass
class CountedText:
    task: str
    text: str
    submissions: int          # how many submissions show it
    tests: int                # in how many test outcomes in all
    example: str = ""         # one full message


@dataclasses.dataclass
class ConceptQuestion:
    task: str
    name: str
    label: str
    answered: int             # submissions with a recorded verdict or answer
    right: int
    unanswered: int           # verdict unanswered or malformed
    wrong_answers: list[tuple[str, int]]  # most common first

    @property
    def share_right(self) -> float:
        return self.right / self.answered if self.answered else 0.0


@dataclasses.dataclass
class AssignmentStats:
    assignment: str
    title: str
    max_score: float
    submissions: int
    statuses: dict[str, int]
    scores: list[float]                                 # graded submissions
    seconds: list[float]                                # every submission's grading time
    tasks: list[TaskStats]
    tests: list[TestStats]
    failures: list[CountedText]
    mistakes: list[CountedText]
    concepts: list[ConceptQuestion]
    grader_errors: list[tuple[str, str]]                # (submission, message)
    student_errors: list[tuple[str, str]]
    grader_versions: list[str]
    assignment_versions: list[str]
    seeds: list[int]

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.scores) if self.scores else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.scores) if self.scores else None


def _answer_text(answer) -> str:
    """A recorded answer as text: ``"c"``, ``["a", "b"]`` -> ``"a, b"``, ``12.0`` -> ``"12"``."""
    if isinstance(answer, (list, tuple)):
        return ", ".join(_answer_text(part) for part in answer)
    if isinstance(answer, float):
        return f"{answer:g}"
    return str(answer)[:200]


def _mistakes_in(test) -> list[str]:
    found = [match.group(1) for match in HINT.finditer(test.message or "")]
    hint = outcome_data(test).get("hint")
    if isinstance(hint, str) and hint:
        found.append(hint)
    found += [name for text, name in GENERIC_DIAGNOSES.items() if text in (test.message or "")]
    return found


def assignment_stats(results: list[SubmissionResult], title: str = "", grader_versions: list[str] | None = None) -> AssignmentStats:
    """Statistics of the latest ``results`` of one assignment."""
    assignment = results[0].assignment if results else ""
    graded = [r for r in results if r.status != "grader_error"]
    ok = [r for r in results if r.status == "ok"]
    task_order: dict[str, tuple[str, float]] = {}
    for result in results:
        for task in result.tasks:
            task_order.setdefault(task.id, (task.title, task.max_score))
    tasks = []
    for task_id, (task_title, points) in task_order.items():
        fractions, complete = [], 0
        for result in graded:
            for task in result.tasks:
                if task.id == task_id:
                    fractions.append(task.score / task.max_score if task.max_score else 0.0)
                    complete += task.max_score > 0 and task.score >= task.max_score
        tasks.append(TaskStats(task_id, task_title, points, statistics.fmean(fractions) if fractions else 0.0,
                               complete / len(fractions) if fractions else 0.0, len(fractions)))

    tests: dict[tuple[str, str], TestStats] = {}
    failures: dict[tuple[str, str], CountedText] = {}
    mistakes: dict[tuple[str, str], CountedText] = {}
    answers: dict[tuple[str, str], dict] = {}
    for result in ok:
        seen_failures: set[tuple[str, str]] = set()
        seen_mistakes: set[tuple[str, str]] = set()
        for task in result.tasks:
            for test in task.tests:
                key = (task.id, test.name)
                stats = tests.setdefault(key, TestStats(task.id, test.name, test.doc or test.name, 0, 0))
                stats.total += 1
                stats.passed += test.outcome == "passed"
                data = outcome_data(test)
                if "answer" in data or "verdict" in data:
                    label = data.get("question") or (task.title if len(task.tests) == 1 else f"{task.title}: {test.doc or test.name}")
                    entry = answers.setdefault(key, {"label": str(label), "answered": 0, "right": 0, "unanswered": 0, "wrong": collections.Counter()})
                    verdict = data.get("verdict") or ("right" if test.outcome == "passed" else "wrong")
                    entry["answered"] += 1
                    if verdict == "right":
                        entry["right"] += 1
                    elif verdict in ("unanswered", "malformed"):
                        entry["unanswered"] += 1
                    else:
                        entry["wrong"][_answer_text(data.get("answer"))] += 1
                    continue  # a concept answer: counted in its own section, not among the failure messages
                if test.outcome == "passed":
                    continue
                pattern = (task.id, message_pattern(test.message))
                counted = failures.setdefault(pattern, CountedText(task.id, pattern[1], 0, 0, test.message[:500]))
                counted.tests += 1
                if pattern not in seen_failures:
                    seen_failures.add(pattern)
                    counted.submissions += 1
                for mistake in _mistakes_in(test):
                    mkey = (task.id, mistake)
                    counted_mistake = mistakes.setdefault(mkey, CountedText(task.id, mistake, 0, 0, test.doc or test.name))
                    counted_mistake.tests += 1
                    if mkey not in seen_mistakes:
                        seen_mistakes.add(mkey)
                        counted_mistake.submissions += 1

    by_count = lambda item: (-item.submissions, -item.tests, item.task, item.text)  # noqa: E731
    concepts = [ConceptQuestion(task, name, entry["label"], entry["answered"], entry["right"], entry["unanswered"], entry["wrong"].most_common(3))
                for (task, name), entry in answers.items()]
    return AssignmentStats(
        assignment=assignment,
        title=title or assignment,
        max_score=max((r.max_score for r in results), default=0.0),
        submissions=len(results),
        statuses=dict(collections.Counter(r.status for r in results)),
        scores=[r.score for r in graded],
        seconds=[r.execution_time for r in results],
        tasks=tasks,
        tests=list(tests.values()),
        failures=sorted(failures.values(), key=by_count),
        mistakes=sorted(mistakes.values(), key=by_count),
        concepts=concepts,
        grader_errors=[(r.name, r.message) for r in results if r.status == "grader_error"],
        student_errors=[(r.name, r.message) for r in results if r.status == "student_error"],
        grader_versions=sorted(set(grader_versions or [])),
        assignment_versions=sorted({r.assignment_version for r in results if r.assignment_version}),
        seeds=sorted({r.seed for r in results if r.seed is not None}),
    )
