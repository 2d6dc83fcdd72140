"""Question banks: ``questions.toml`` (public) and ``key.toml`` (hidden) of a question assignment.

A question assignment (``questions = "questions.toml"`` in ``assignment.toml``)
grades answers, not code. The instructor edits one public file, the bank::

    intro = "Answer in ANSWERS ..."          # optional markdown, shown first in the notebook

    [[questions]]
    id = "bn_placement"                      # the task id and the key in ANSWERS
    topic = 6                                # the TOPICS.md row it teaches
    kind = "choice"                          # choice | multi | numeric | integer
    title = "Where batch norm goes"
    points = 1
    text = "In the block of the original paper, where is BN? ..."   # markdown
    options = ["before the convolution", "between convolution and ReLU", ...]   # lettered a, b, c ...
    # tolerance = 1e-3                       # numeric only: relative tolerance (default 1e-3)

and a hidden file that never leaves ``solutions/``, the key::

    [bn_placement]
    answer = "b"                             # choice: a letter; multi: ["a", "c"]; numeric/integer: a number
    explanation = "Ioffe and Szegedy normalise the pre-activation ..."

Each question becomes one task of the assignment (its id, title and points), so
the bank is the only place an instructor edits. The key is read only by the
hidden tests, ``validate`` (the reference is built from it) and the tests in
``tests/``; ``release`` never copies it.
"""

from __future__ import annotations

import dataclasses
import math
import pathlib
import re
import string
import tomllib

from autograder.errors import SpecError
from autograder.task import Task

__all__ = ["KINDS", "KEY_FILE", "REVEAL_CHOICES", "KeyEntry", "Question", "QuestionBank", "letters", "load_bank", "load_key"]

KINDS = ("choice", "multi", "numeric", "integer")
REVEAL_CHOICES = ("none", "explanations")
KEY_FILE = "key.toml"
DEFAULT_TOLERANCE = 1e-3
MAX_OPTIONS = 10

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_QUESTION_FIELDS = {"id", "topic", "kind", "title", "points", "text", "options", "tolerance"}
_KEY_FIELDS = {"answer", "explanation"}


def letters(count: int) -> tuple[str, ...]:
    """The option letters of a question with ``count`` options: ``("a", "b", ...)``."""
    return tuple(string.ascii_lowercase[:count])


@dataclasses.dataclass(frozen=True)
class Question:
    """One question of the bank (everything public about it; no answer)."""

    id: str
    topic: int
    kind: str
    title: str
    points: float
    text: str
    options: tuple[str, ...] = ()
    tolerance: float = DEFAULT_TOLERANCE  # numeric: relative (absolute when the answer is 0)

    @property
    def letters(self) -> tuple[str, ...]:
        return letters(len(self.options))

    def format_hint(self) -> str:
        """What an answer to this question looks like, for comments and messages."""
        if self.kind == "choice":
            return f"one letter: {_or_list(self.letters)}"
        if self.kind == "multi":
            return f'a list of letters, e.g. ["a", "c"] (options a to {self.letters[-1]})'
        if self.kind == "integer":
            return "a whole number"
        return f"a number (within {self.tolerance * 100:g}%; arithmetic such as 3*3*64 is fine)"


def _or_list(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


@dataclasses.dataclass(frozen=True)
class QuestionBank:
    """The questions of one assignment, in order, read from ``path``."""

    path: pathlib.Path
    questions: tuple[Question, ...]
    intro: str = ""

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def tasks(self) -> tuple[Task, ...]:
        """One graded task per question: its id, title and points; no functions."""
        return tuple(Task(id=q.id, title=q.title, points=q.points, functions=()) for q in self.questions)


@dataclasses.dataclass(frozen=True)
class KeyEntry:
    """The hidden side of one question."""

    answer: object  # str (choice), tuple of str (multi), float (numeric), int (integer)
    explanation: str


def _read_toml(path: pathlib.Path, what: str) -> dict:
    if not path.is_file():
        raise SpecError(f"{path}: no {what}")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: {exc}") from None


def load_bank(path: str | pathlib.Path, *, topics: tuple[int, ...] = ()) -> QuestionBank:
    """Read and check ``questions.toml``; ``topics``: topic numbers that must each have a question."""
    path = pathlib.Path(path)
    data = _read_toml(path, "question bank")
    unknown_top = set(data) - {"questions", "intro"}
    if unknown_top:
        raise SpecError(f"{path}: unknown top-level keys {sorted(unknown_top)}; a bank has 'intro' and [[questions]] only")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise SpecError(f"{path}: no [[questions]]")
    questions = [_question(path, index, raw) for index, raw in enumerate(raw_questions)]
    ids = [q.id for q in questions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SpecError(f"{path}: duplicate question ids {duplicates}")
    covered = {q.topic for q in questions}
    missing = [topic for topic in topics if topic not in covered]
    if missing:
        raise SpecError(f"{path}: no question for topic{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} "
                        f"(assignment.toml lists topics {list(topics)})")
    intro = data.get("intro", "")
    if not isinstance(intro, str):
        raise SpecError(f"{path}: 'intro' must be a string (markdown)")
    return QuestionBank(path=path, questions=tuple(questions), intro=intro.strip())


def _question(path: pathlib.Path, index: int, raw) -> Question:
    where = f"{path}: question #{index + 1}"
    if not isinstance(raw, dict):
        raise SpecError(f"{where} is not a table")
    question_id = raw.get("id")
    if not isinstance(question_id, str) or not _ID.match(question_id):
        raise SpecError(f"{where}: 'id' must be lower-case letters, digits and _ (got {question_id!r})")
    where = f"{path}: question '{question_id}'"
    if "answer" in raw or "explanation" in raw:
        raise SpecError(f"{where} holds an answer or explanation: those go in {KEY_FILE}, which students never see")
    unknown = set(raw) - _QUESTION_FIELDS
    if unknown:
        raise SpecError(f"{where}: unknown fields {sorted(unknown)}; known: {sorted(_QUESTION_FIELDS)}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise SpecError(f"{where}: kind must be one of {', '.join(KINDS)} (got {kind!r})")
    topic = raw.get("topic")
    if type(topic) is not int or topic < 1:
        raise SpecError(f"{where}: 'topic' must be a TOPICS.md row number (got {topic!r})")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise SpecError(f"{where}: 'text' (the question, markdown) is missing")
    points = raw.get("points", 1)
    if type(points) not in (int, float) or not math.isfinite(points) or points <= 0:
        raise SpecError(f"{where}: 'points' must be a positive number (got {points!r})")
    title = raw.get("title", question_id)
    if not isinstance(title, str) or not title.strip():
        raise SpecError(f"{where}: 'title' must be a non-empty string")
    options = raw.get("options")
    if kind in ("choice", "multi"):
        if not isinstance(options, list) or len(options) < 2 or not all(isinstance(o, str) and o.strip() for o in options):
            raise SpecError(f"{where}: a {kind} question needs 'options', a list of at least 2 non-empty strings (lettered a, b, c ...)")
        if len(options) > MAX_OPTIONS:
            raise SpecError(f"{where}: at most {MAX_OPTIONS} options")
        if len(set(options)) != len(options):
            raise SpecError(f"{where}: two options have the same text")
    elif options is not None:
        raise SpecError(f"{where}: a {kind} question has no 'options'")
    tolerance = raw.get("tolerance", DEFAULT_TOLERANCE)
    if "tolerance" in raw and kind != "numeric":
        raise SpecError(f"{where}: only numeric questions have a 'tolerance' ({kind} answers are compared exactly)")
    if type(tolerance) not in (int, float) or not 0 < tolerance < 1:
        raise SpecError(f"{where}: 'tolerance' is relative and must be in (0, 1) (got {tolerance!r})")
    return Question(id=question_id, topic=topic, kind=kind, title=title.strip(), points=float(points), text=text.strip(),
                    options=tuple(o.strip() for o in options or ()), tolerance=float(tolerance))


def load_key(bank: QuestionBank, path: str | pathlib.Path | None = None) -> dict[str, KeyEntry]:
    """Read and check the hidden ``key.toml`` (default: next to the bank) against the bank.

    Every question needs an answer of its kind (a letter among its options, a
    list of them, a number, a whole number) and an explanation; the key holds no
    other ids.
    """
    path = pathlib.Path(path) if path is not None else bank.path.parent / KEY_FILE
    data = _read_toml(path, "answer key")
    unknown = sorted(set(data) - set(bank.ids))
    if unknown:
        raise SpecError(f"{path}: answers for questions the bank does not have: {unknown}")
    missing = [question_id for question_id in bank.ids if question_id not in data]
    if missing:
        raise SpecError(f"{path}: no answer for {missing}")
    return {question.id: _key_entry(path, question, data[question.id]) for question in bank.questions}


def _key_entry(path: pathlib.Path, question: Question, raw) -> KeyEntry:
    where = f"{path}: [{question.id}]"
    if not isinstance(raw, dict) or set(raw) - _KEY_FIELDS or "answer" not in raw:
        raise SpecError(f"{where} must hold 'answer' and 'explanation' only")
    explanation = raw.get("explanation")
    if not isinstance(explanation, str) or not explanation.strip():
        raise SpecError(f"{where}: 'explanation' is missing (it teaches the point when the instructor reveals it)")
    answer = raw["answer"]
    if question.kind == "choice":
        if answer not in question.letters:
            raise SpecError(f"{where}: the answer of a choice question is one of {', '.join(question.letters)} (got {answer!r})")
    elif question.kind == "multi":
        if (not isinstance(answer, list) or not answer or len(set(answer)) != len(answer)
                or not all(letter in question.letters for letter in answer)):
            raise SpecError(f"{where}: the answer of a multi question is a non-empty list of distinct letters among "
                            f"{', '.join(question.letters)} (got {answer!r})")
        answer = tuple(sorted(answer))
    elif question.kind == "integer":
        if type(answer) is not int:
            raise SpecError(f"{where}: the answer of an integer question is a whole number (got {answer!r})")
    else:
        if type(answer) not in (int, float) or not math.isfinite(answer):
            raise SpecError(f"{where}: the answer of a numeric question is a finite number (got {answer!r})")
        answer = float(answer)
    return KeyEntry(answer=answer, explanation=explanation.strip())
