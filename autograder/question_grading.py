"""One answer to one question: read its format, then (hidden tests only) compare it with the key.

Used by the tests of a question assignment, in the trusted harness:

- the public tests call :func:`format_problem` (is the answer of the right kind?)
  and never see a key;
- the hidden tests call :func:`judge` with the key entry, record the verdict and
  the normalised answer (``record_property``) and fail with :attr:`Judged.message`,
  which names the question, says right or wrong, and never contains the key.

Formats, per kind (``None`` or a missing id is *unanswered*; anything else that
does not fit is *malformed*; both score 0):

==========  ======================================  =============================
kind        accepted                                normalised to
==========  ======================================  =============================
choice      one letter among the options ("B " ok)  "b"
multi       list / tuple / set of such letters      sorted list, no repeats
numeric     int or float, finite (not bool)         float
integer     int, or a float such as 12.0            int
==========  ======================================  =============================

Only these exact types count: a NumPy scalar, a string holding a number or a
bool is malformed, because the grader reads only literals (autograder.answer_sheet).
"""

from __future__ import annotations

import dataclasses
import math

from autograder.question_bank import KeyEntry, Question

__all__ = ["Judged", "format_problem", "judge", "normalise", "parametrize_questions", "sheet_of"]

VERDICTS = ("right", "wrong", "unanswered", "malformed")


class _Malformed(ValueError):
    """The answer is not of the question's kind; the message says what was expected."""


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _letter(question: Question, value) -> str:
    if type(value) is not str:
        raise _Malformed(f"expected {question.format_hint()}, got {_show(value)}")
    letter = value.strip().lower()
    if letter not in question.letters:
        raise _Malformed(f"{_show(value)} is not one of the options {', '.join(question.letters)}")
    return letter


def normalise(question: Question, value):
    """The answer in its normal form (see the table above); ``None`` when unanswered.

    Raises ``ValueError`` (a subclass) with a message for the student when the
    answer is not of the question's kind.
    """
    if value is None:
        return None
    if question.kind == "choice":
        return _letter(question, value)
    if question.kind == "multi":
        if type(value) is str:
            raise _Malformed(f'expected a list of letters such as ["a", "c"], got the string {_show(value)}')
        if type(value) not in (list, tuple, set):
            raise _Malformed(f"expected {question.format_hint()}, got {_show(value)}")
        return sorted({_letter(question, item) for item in value})
    if type(value) not in (int, float):
        kind = "a string" if type(value) is str else type(value).__name__
        hint = " (write the number without quotes)" if type(value) is str else ""
        raise _Malformed(f"expected {question.format_hint()}, got {kind} {_show(value)}{hint}")
    if not math.isfinite(value):
        raise _Malformed(f"expected a finite number, got {_show(value)}")
    if question.kind == "integer":
        if type(value) is float and not value.is_integer():
            raise _Malformed(f"expected a whole number, got {_show(value)}")
        return int(value)
    return float(value)


def format_problem(question: Question, answers, malformed: dict | None = None) -> str:
    """Why ``answers[question.id]`` is not a well-formed answer ('' when it is). Never looks at a key."""
    if not isinstance(answers, dict):
        return f"ANSWERS must be a dict of answers by question id, not {type(answers).__name__}"
    if malformed and question.id in malformed:
        return f"{question.id}: malformed answer: {malformed[question.id]}"
    value = answers.get(question.id)
    if value is None:
        hint = _misspelt(question.id, answers)
        return f"{question.id}: not answered yet; set ANSWERS[\"{question.id}\"] to {question.format_hint()}" + hint
    try:
        normalise(question, value)
    except ValueError as exc:
        return f"{question.id}: malformed answer: {exc}"
    return ""


def _misspelt(question_id: str, answers: dict) -> str:
    from difflib import get_close_matches

    others = [key for key in answers if isinstance(key, str) and key != question_id]
    close = get_close_matches(question_id, others, n=1, cutoff=0.75)
    return f"; ANSWERS has '{close[0]}': a typo?" if close else ""


@dataclasses.dataclass(frozen=True)
class Judged:
    """The verdict on one answer: ``right``, ``wrong``, ``unanswered`` or ``malformed``."""

    verdict: str
    answer: object   # the normalised answer (None when unanswered or malformed)
    message: str     # feedback for the student; '' when right; never the key

    @property
    def right(self) -> bool:
        return self.verdict == "right"


def _matches(question: Question, answer, key) -> bool:
    if question.kind == "multi":
        return tuple(answer) == tuple(key)
    if question.kind == "numeric":
        return abs(answer - key) <= question.tolerance * (abs(key) if key != 0 else 1.0)
    return answer == key


def judge(question: Question, answers, malformed: dict | None, key: KeyEntry, reveal: str = "none") -> Judged:
    """Compare the submission's answer to ``question`` with ``key``.

    ``answers``/``malformed``: the ``ANSWERS`` and ``MALFORMED`` dicts of the graded
    module. With ``reveal="explanations"`` a wrong answer's message ends with the
    key's explanation; otherwise nothing of the key is said.
    """
    problem = format_problem(question, answers, malformed)
    if problem:
        unanswered = isinstance(answers, dict) and answers.get(question.id) is None and not (malformed and question.id in malformed)
        return Judged("unanswered" if unanswered else "malformed", None, problem)
    answer = normalise(question, answers[question.id])
    if _matches(question, answer, key.answer):
        return Judged("right", answer, "")
    message = f"{question.id}: wrong (your answer: {_show(answer)})"
    if reveal == "explanations":
        message += f"\n{key.explanation}"
    return Judged("wrong", answer, message)


def sheet_of(submission) -> tuple[object, dict]:
    """``(ANSWERS, MALFORMED)`` of a submission (the worker's module, or a live notebook)."""
    answers = submission.value("ANSWERS")
    malformed = submission.value("MALFORMED", default={})
    return answers, malformed if isinstance(malformed, dict) else {}


def parametrize_questions(metafunc, *, with_key: bool = False) -> None:
    """``pytest_generate_tests`` of a question assignment's tests: one test per question, its task marked.

    Fills the test's ``question`` argument (and ``key`` with ``with_key``, hidden
    tests only: the key is read here, at collection, so a broken key is a
    collection error, i.e. a grader error, never a student's zero).
    """
    import pytest

    from autograder.harness.plugin import assignment_root
    from autograder.question_bank import load_key
    from autograder.spec import SpecError, load_spec

    if "question" not in metafunc.fixturenames:
        return
    spec = load_spec(assignment_root(metafunc.config))
    if spec.question_bank is None:
        raise ValueError(f"{spec.id} is not a question assignment (no 'questions' in assignment.toml)")
    questions = spec.question_bank.questions
    try:
        key = load_key(spec.question_bank) if with_key else {}
    except SpecError:
        # A collection error is reported (as a grader error) to the student: say nothing of the key's values.
        raise RuntimeError(f"the answer key of {spec.id} is invalid; `autograder validate {spec.id}` says why") from None
    names = ["question", "key", "reveal"] if with_key else ["question"]
    params = [pytest.param(*([q, key[q.id], spec.reveal] if with_key else [q]), id=q.id, marks=pytest.mark.task(q.id)) for q in questions]
    metafunc.parametrize(names, params)
