"""Instructor statistics of a question assignment: per question, how the class answered.

The hidden tests of a question assignment record, per question, the verdict
(``right`` / ``wrong`` / ``unanswered`` / ``malformed``) and the student's
normalised answer in the test outcome's ``data`` (``record_property``). From a
batch's results (``Gradebook.latest_results(...)`` or ``grade``'s return value)::

    for row in question_statistics(results, spec.question_bank):
        print(row.id, row.right_share, row.most_common_wrong)

Only submissions graded with status ``ok`` count; a question a submission has no
recorded verdict for (graded before answers were recorded) is left out of that
question's counts.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Iterable

from autograder.outcomes import SubmissionResult
from autograder.question_bank import QuestionBank

__all__ = ["QuestionStatistics", "question_statistics"]


@dataclasses.dataclass(frozen=True)
class QuestionStatistics:
    """How the class answered one question. Shares are fractions of ``answered + unanswered + malformed``."""

    id: str
    title: str
    topic: int
    kind: str
    submissions: int                  # submissions with a recorded verdict for this question
    right: int
    wrong: int
    unanswered: int
    malformed: int
    most_common_wrong: object = None  # the most frequent wrong (normalised) answer: "c", ["a", "b"], 12.0
    most_common_wrong_count: int = 0

    def _share(self, count: int) -> float:
        return count / self.submissions if self.submissions else 0.0

    @property
    def right_share(self) -> float:
        return self._share(self.right)

    @property
    def wrong_share(self) -> float:
        return self._share(self.wrong)

    @property
    def unanswered_share(self) -> float:
        return self._share(self.unanswered)

    @property
    def malformed_share(self) -> float:
        return self._share(self.malformed)


def _hashable(answer):
    """A recorded answer as a dict key (lists, as multi answers are, become tuples)."""
    return tuple(answer) if isinstance(answer, list) else answer


def question_statistics(results: Iterable[SubmissionResult], bank: QuestionBank) -> list[QuestionStatistics]:
    """Per question of ``bank``, in bank order: counts of each verdict and the most common wrong answer.

    Ties between wrong answers go to the one seen first.
    """
    verdicts: dict[str, collections.Counter] = {q.id: collections.Counter() for q in bank.questions}
    wrong_answers: dict[str, collections.Counter] = {q.id: collections.Counter() for q in bank.questions}
    for result in results:
        if result.status != "ok":
            continue
        for task in result.tasks:
            if task.id not in verdicts:
                continue
            for test in task.tests:
                verdict = test.data.get("verdict")
                if verdict not in ("right", "wrong", "unanswered", "malformed"):
                    continue
                verdicts[task.id][verdict] += 1
                if verdict == "wrong":
                    wrong_answers[task.id][_hashable(test.data.get("answer"))] += 1
    rows = []
    for question in bank.questions:
        counts = verdicts[question.id]
        common = wrong_answers[question.id].most_common(1)
        answer, count = common[0] if common else (None, 0)
        rows.append(QuestionStatistics(
            id=question.id, title=question.title, topic=question.topic, kind=question.kind,
            submissions=sum(counts.values()), right=counts["right"], wrong=counts["wrong"],
            unanswered=counts["unanswered"], malformed=counts["malformed"],
            most_common_wrong=list(answer) if isinstance(answer, tuple) else answer, most_common_wrong_count=count,
        ))
    return rows
