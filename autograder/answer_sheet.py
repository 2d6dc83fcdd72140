"""A question assignment's submission -> its ``ANSWERS``, read without running anything.

Students answer in one dict, in ``concepts.py`` or in the notebook::

    ANSWERS = {"bn_placement": "b", "dw_separable_macs": 8.7}
    ANSWERS["inception_params"] = 1*1*192*64 + 64      # arithmetic on numbers is fine
    ANSWERS["dropout_conv"] = ["a", "c"]

Intake reads exactly two kinds of top-level statement, in order (cells in
notebook order): ``ANSWERS = {...}`` (a dict display; it replaces what came
before) and ``ANSWERS["id"] = value``. A value is a literal (string, number,
``None``, a list / tuple / set of those) or plain arithmetic on numbers
(``+ - * / // % **``, bounded), evaluated here on the syntax tree. Nothing else in
the submission is run or can fail: other code is ignored, a cell or a part of a
file that does not parse is skipped, and a value that is not such an expression
(``f(3)``, a name, ``np.pi``) makes that one question *malformed* (0 points, the
feedback says why) and leaves the others alone.

The graded module is then written from the values alone (:func:`answers_module`)::

    ANSWERS = {'bn_placement': 'b', ...}     # every question id read, literal values only
    MALFORMED = {'q': 'why it could not be read'}

so the worker imports a file made only of literals, whatever the submission held.
"""

from __future__ import annotations

import ast
import dataclasses
import math
from collections.abc import Iterable, Sequence

__all__ = ["AnswerSheet", "answers_module", "read_answer_sheet", "read_notebook_answers", "read_python_answers"]

NAME = "ANSWERS"
MALFORMED_NAME = "MALFORMED"
MAX_STRING = 200        # characters in one string answer
MAX_ITEMS = 30          # elements of a list answer
MAX_MAGNITUDE = 1e30    # |number| after every arithmetic step
MAX_INT_BITS = 110      # ints are bounded before they are computed (no 10**10**9)
MAX_NODES = 200         # syntax nodes in one value
MAX_NOTES = 8


class _NotALiteral(ValueError):
    """A value that is not a literal or plain arithmetic on numbers; the message says what it is."""


@dataclasses.dataclass
class AnswerSheet:
    """What a submission answered: ``answers`` (id -> literal value), ``malformed`` (id -> why), ``notes``."""

    answers: dict[str, object] = dataclasses.field(default_factory=dict)
    malformed: dict[str, str] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)

    def set(self, question_id: str, value) -> None:
        self.answers[question_id] = value
        self.malformed.pop(question_id, None)

    def set_malformed(self, question_id: str, why: str) -> None:
        self.answers.pop(question_id, None)
        self.malformed[question_id] = why

    def note(self, text: str) -> None:
        if len(self.notes) < MAX_NOTES:
            self.notes.append(text)
        elif len(self.notes) == MAX_NOTES:
            self.notes.append("further statements about ANSWERS were not read either")


# --------------------------------------------------------------------------- values


def _check_number(value):
    if isinstance(value, float) and not math.isfinite(value):
        raise _NotALiteral("the arithmetic does not give a finite number")
    if abs(value) > MAX_MAGNITUDE:
        raise _NotALiteral(f"a number larger than {MAX_MAGNITUDE:g}")
    return value


def _arithmetic(op: ast.operator, left, right):
    if type(left) not in (int, float) or type(right) not in (int, float):
        raise _NotALiteral("arithmetic on something other than numbers")
    if isinstance(op, ast.Pow):
        if abs(right) > 256:
            raise _NotALiteral("an exponent larger than 256")
        if type(left) is int and type(right) is int and right > 0 and abs(left).bit_length() * right > MAX_INT_BITS:
            raise _NotALiteral(f"a number larger than {MAX_MAGNITUDE:g}")
    if isinstance(op, ast.Mult) and type(left) is int and type(right) is int and abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
        raise _NotALiteral(f"a number larger than {MAX_MAGNITUDE:g}")
    operations = {ast.Add: lambda: left + right, ast.Sub: lambda: left - right, ast.Mult: lambda: left * right,
                  ast.Div: lambda: left / right, ast.FloorDiv: lambda: left // right, ast.Mod: lambda: left % right,
                  ast.Pow: lambda: left ** right}
    compute = operations.get(type(op))
    if compute is None:
        raise _NotALiteral(f"the operator {type(op).__name__} (only + - * / // % ** are read)")
    try:
        result = compute()
    except ZeroDivisionError:
        raise _NotALiteral("a division by zero") from None
    except OverflowError:
        raise _NotALiteral(f"a number larger than {MAX_MAGNITUDE:g}") from None
    if type(result) is complex:
        raise _NotALiteral("a complex number")
    return _check_number(result)


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        return "a function call (the grader runs no code; write the number itself or arithmetic on numbers)"
    if isinstance(node, (ast.Name, ast.Attribute)):
        return f"the name `{ast.unparse(node)[:40]}` (the grader runs no code, so names have no value; write the value itself)"
    return f"a {type(node).__name__} expression (only literals and arithmetic on numbers are read)"


def literal_value(node: ast.AST, depth: int = 0):
    """The value of a literal / plain-arithmetic expression node; :class:`_NotALiteral` otherwise.

    Strings, numbers, ``None``, booleans; lists, tuples and sets of them (a set
    becomes a sorted list); ``-x``, ``+x`` and ``+ - * / // % **`` on numbers.
    """
    if depth == 0 and sum(1 for _ in ast.walk(node)) > MAX_NODES:
        raise _NotALiteral(f"an expression of more than {MAX_NODES} parts")
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or type(value) is bool:
            return value
        if type(value) is str:
            if len(value) > MAX_STRING:
                raise _NotALiteral(f"a string longer than {MAX_STRING} characters")
            return value
        if type(value) in (int, float):
            return _check_number(value)
        raise _NotALiteral(f"a {type(value).__name__} literal")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = literal_value(node.operand, depth + 1)
        if type(operand) not in (int, float):
            raise _NotALiteral("a sign in front of something other than a number")
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        return _arithmetic(node.op, literal_value(node.left, depth + 1), literal_value(node.right, depth + 1))
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        if depth > 0:
            raise _NotALiteral("a list inside a list")
        if len(node.elts) > MAX_ITEMS:
            raise _NotALiteral(f"a list of more than {MAX_ITEMS} items")
        items = [literal_value(element, depth + 1) for element in node.elts]
        return sorted(items, key=repr) if isinstance(node, ast.Set) else items
    raise _NotALiteral(_describe(node))


# --------------------------------------------------------------------------- statements


def _is_answers(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == NAME


def _changes_answers(statement: ast.stmt) -> bool:
    """Whether a statement (other than the two that are read) stores into ANSWERS or calls one of its methods."""
    for node in ast.walk(statement):
        stored = isinstance(getattr(node, "ctx", None), (ast.Store, ast.Del))
        if stored and (_is_answers(node) or isinstance(node, ast.Subscript) and _is_answers(node.value)):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _is_answers(node.func.value):
            return True
    return False


def _item_id(target: ast.AST) -> str | None:
    """``"bn_placement"`` for the target ``ANSWERS["bn_placement"]``; None for any other target."""
    if isinstance(target, ast.Subscript) and _is_answers(target.value):
        key = target.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    return None


class _Reader:
    """Applies the ANSWERS statements of a submission, in order, to one sheet."""

    def __init__(self, question_ids: Sequence[str]):
        self.ids = tuple(question_ids)
        self.sheet = AnswerSheet()
        self.unknown: list[str] = []
        self.budget = _ParseBudget(PARSE_BUDGET)

    def _assign(self, question_id: str, value_node: ast.AST, where: str) -> None:
        if question_id not in self.ids:
            if question_id not in self.unknown:
                self.unknown.append(question_id)
            return
        try:
            self.sheet.set(question_id, literal_value(value_node))
        except _NotALiteral as exc:
            self.sheet.set_malformed(question_id, f"{where}: the answer is {exc}")
        except (RecursionError, MemoryError, ValueError, TypeError, ArithmeticError) as exc:
            self.sheet.set_malformed(question_id, f"{where}: the answer could not be read ({type(exc).__name__})")

    def _replace(self, value: ast.AST, where: str, label: str, line_offset: int) -> None:
        if not isinstance(value, ast.Dict):
            self.sheet.note(f"{where}: `ANSWERS = {ast.unparse(value)[:40]}` is not a dict of literals and was not read "
                            "(write ANSWERS = {\"id\": answer, ...} or ANSWERS[\"id\"] = answer)")
            return
        self.sheet = AnswerSheet(notes=self.sheet.notes)
        for key, value_node in zip(value.keys, value.values):
            if key is None or not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                self.sheet.note(f"{where}: an entry of ANSWERS whose key is not a question id in quotes was not read")
                continue
            self._assign(key.value, value_node, f"{label}, line {value_node.lineno + line_offset}")

    def statement(self, statement: ast.stmt, label: str, line_offset: int = 0) -> None:
        where = f"{label}, line {statement.lineno + line_offset}"
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            if _changes_answers(statement):
                self.sheet.note(f"{where}: only `ANSWERS = {{...}}` and `ANSWERS[\"id\"] = answer` at the top level are read; "
                                "this statement was not")
            return
        for target in targets:
            if _is_answers(target):
                self._replace(value, where, label, line_offset)
            elif _item_id(target) is not None:
                self._assign(_item_id(target), value, where)
            elif any(_is_answers(node) for node in ast.walk(target)):
                self.sheet.note(f"{where}: `{ast.unparse(target)[:40]} = ...` was not read (write ANSWERS[\"id\"] = answer)")

    def source(self, text: str, label: str) -> None:
        """Every top-level statement of ``text``; a part that does not parse is skipped, the rest still read."""
        for chunk, first_line, parses in _parsable_chunks(text, self.budget):
            if parses is None:
                self.sheet.notes.append(f"{label}, line {first_line} onwards: not read (too many syntax errors before it)")
                continue
            if not parses:
                if NAME in chunk:
                    self.sheet.note(f"{label}, line {first_line}: does not parse (a syntax error); the ANSWERS statements there were not read")
                continue
            for statement in ast.parse(chunk).body:
                self.statement(statement, label, first_line - 1)

    def finish(self) -> AnswerSheet:
        if self.unknown:
            from difflib import get_close_matches

            hints = []
            for unknown in self.unknown[:5]:
                close = get_close_matches(unknown, self.ids, n=1)
                hints.append(f"'{unknown[:40]}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
            self.sheet.note("ANSWERS has ids that are not questions, ignored: " + ", ".join(hints))
        return self.sheet


class _ParseBudget:
    """How much re-parsing the recovery from syntax errors may do for one submission.

    Intake runs in the grader's own process, so a file made of thousands of broken
    lines must not cost minutes: past the budget the rest is skipped, with a note.
    """

    def __init__(self, characters: int):
        self.left = characters

    def parses(self, text: str) -> bool:
        self.left -= len(text) + 100
        try:
            ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
        return True


_NOT_A_START = ("", " ", "\t", "#", ")", "]", "}")
_CONTINUATIONS = ("else", "elif", "except", "finally")
MAX_EXTENSIONS = 40
PARSE_BUDGET = 5_000_000  # characters parsed per submission: well under a second


def _parsable_chunks(text: str, budget: _ParseBudget) -> Iterable[tuple[str, int, bool | None]]:
    """``(chunk, first_line, parses)``: ``text`` whole when it parses, else pieces that do.

    Where the text has a syntax error, it is cut at the lines that begin in column 0
    (where a top-level statement can start) and each piece is grown from there to
    the shortest run of such lines that parses; a piece that never parses is
    yielded as not parsing and skipped. So a syntax error costs only the
    statement it is in, wherever the brackets of the broken line leave off.
    ``parses`` is None for the rest of a text once the budget is spent.
    """
    if budget.parses(text):
        yield text, 1, True
        return
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if line[:1] not in _NOT_A_START and not line.startswith(_CONTINUATIONS)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    index = 0
    while index < len(starts):
        if budget.left <= 0:
            yield "\n".join(lines[starts[index]:]), starts[index] + 1, None
            return
        for following in range(index + 1, min(len(starts), index + MAX_EXTENSIONS) + 1):
            end = starts[following] if following < len(starts) else len(lines)
            chunk = "\n".join(lines[starts[index]:end])
            if budget.parses(chunk):
                yield chunk, starts[index] + 1, True
                index = following
                break
        else:
            end = starts[index + 1] if index + 1 < len(starts) else len(lines)
            yield "\n".join(lines[starts[index]:end]), starts[index] + 1, False
            index += 1


def read_answer_sheet(sources: Iterable[tuple[str, str]], question_ids: Sequence[str]) -> AnswerSheet:
    """The sheet from ``(label, source)`` pieces read in order (a file, or a notebook's code cells)."""
    reader = _Reader(question_ids)
    for label, text in sources:
        reader.source(text, label)
    return reader.finish()


def read_python_answers(text: str, label: str, question_ids: Sequence[str]) -> AnswerSheet:
    return read_answer_sheet([(label, text)], question_ids)


def read_notebook_answers(data: bytes, label: str, question_ids: Sequence[str]) -> AnswerSheet:
    """The sheet from a notebook's code cells, in notebook order (IPython magics and shell lines skipped)."""
    from autograder.notebook_code import _strip_magics, read_notebook_cells

    sources = []
    for number, source in read_notebook_cells(data, label):
        code, _removed = _strip_magics(source)
        sources.append((f"cell {number}", code))
    return read_answer_sheet(sources, question_ids)


def answers_module(sheet: AnswerSheet, question_ids: Sequence[str]) -> str:
    """The graded module: ``ANSWERS`` (every question id, ``None`` when unanswered) and ``MALFORMED``, literals only."""
    lines = ['"""Built by the autograder from the ANSWERS of a submission: literal values only; nothing else was run."""', "",
             f"{NAME} = {{"]
    for question_id in question_ids:
        if question_id not in sheet.malformed:
            lines.append(f"    {question_id!r}: {sheet.answers.get(question_id)!r},")
    lines += ["}", "", f"{MALFORMED_NAME} = {{"]
    for question_id in question_ids:
        if question_id in sheet.malformed:
            lines.append(f"    {question_id!r}: {sheet.malformed[question_id]!r},")
    lines.append("}")
    source = "\n".join(lines) + "\n"
    ast.parse(source)  # the values are literals: the module always parses
    return source
