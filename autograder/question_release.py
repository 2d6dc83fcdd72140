"""The student side of a question assignment, generated from its public bank.

``autograder release concepts`` writes ``assignments/concepts/`` from
``solutions/concepts/`` (see :func:`release_files`):

- ``concepts.py``       ``ANSWERS = {...}`` with every question id set to ``None``,
                        a comment per id saying what the answer looks like;
- ``concepts.ipynb``    a first cell creating ``ANSWERS = {}`` and ``grader``, then per
                        question its text (markdown) and one answer cell
                        ``ANSWERS["id"] = None  # one letter: a, b, c or d``, and
                        ``grader.check_all()`` at the end;
- ``README.md``         how to answer, and every question;
- ``assignment.toml``, ``questions.toml`` (the public bank, rewritten from its parsed
  fields so no comment of the instructor's ships) and the public tests.

``key.toml`` is never among them. :func:`reference_source` (the key written as a
student would) and :func:`stub_source` (nothing answered) are what ``validate``
grades as the reference and the stub.
"""

from __future__ import annotations

import pathlib

from autograder.question_bank import Question, QuestionBank, load_key
from autograder.spec import AssignmentSpec

__all__ = ["make_answers_module", "make_question_notebook", "make_question_readme", "public_bank_toml", "reference_source", "release_files",
           "stub_source"]

_HOW_TO_ANSWER = (
    "Answer each question by setting its entry of `ANSWERS`: a letter (`\"b\"`) for a choice, a list of letters "
    "(`[\"a\", \"c\"]`) when several options are right (all of them, nothing else, earns the points), a number for the "
    "others. Numbers may be written as arithmetic (`3*3*64*56*56`, `1/3`). The grader reads `ANSWERS` without running "
    "your notebook or file, so write values, not code that computes them (no function calls, no variables); an answer "
    "it cannot read scores 0 for that question only."
)


def _points(question: Question) -> str:
    return f"{question.points:g} point{'s' if question.points != 1 else ''}"


def _question_markdown(number: int, question: Question, heading: str = "##") -> str:
    lines = [f"{heading} {number}. {question.title}", "",
             f"*Topic {question.topic} · {_points(question)} · answer with {question.format_hint()}* (`{question.id}`)", "",
             question.text]
    if question.options:
        lines.append("")
        lines += [f"- **{letter})** {option}" for letter, option in zip(question.letters, question.options)]
    return "\n".join(lines)


def make_answers_module(spec: AssignmentSpec, values: dict[str, object] | None = None, docstring: str | None = None) -> str:
    """``<module>.py``: ``ANSWERS = {...}`` with one line per question (``values`` or ``None``)."""
    bank = spec.question_bank
    values = values or {}
    doc = docstring or (f'"""{spec.title}: your answers.\n\n{_wrap(_HOW_TO_ANSWER)}\n\n'
                        f'The questions are in README.md and {spec.id}.ipynb.\n"""')
    lines = [doc, "", "ANSWERS = {"]
    for number, question in enumerate(bank.questions, start=1):
        lines.append(f"    # {number}. {question.title} (topic {question.topic}, {_points(question)}): {question.format_hint()}")
        lines.append(f'    "{question.id}": {_literal(values.get(question.id))},')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _literal(value) -> str:
    """Python source for an answer, strings in double quotes as students write them."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    if isinstance(value, str):
        import json

        return json.dumps(value)  # a JSON string is a valid Python string literal
    return repr(value)


def _wrap(text: str, width: int = 88) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def stub_source(spec: AssignmentSpec) -> str:
    """The released ``<module>.py``: every answer ``None``."""
    return make_answers_module(spec)


def reference_source(spec: AssignmentSpec) -> str:
    """The key as a student would submit it (what ``validate`` grades as the reference). Hidden: never released."""
    key = load_key(spec.question_bank)
    return make_answers_module(spec, {question_id: entry.answer for question_id, entry in key.items()},
                               docstring=f'"""{spec.title}: the answer key as a submission (built by validate; never released)."""')


def make_question_notebook(spec: AssignmentSpec) -> str:
    """``<id>.ipynb``: the questions in markdown, one answer cell each, ``grader.check_all()`` last."""
    import nbformat

    bank: QuestionBank = spec.question_bank
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    intro = [f"# {spec.title}", ""] + ([bank.intro, ""] if bank.intro else []) + [
        _HOW_TO_ANSWER, "", "`grader.check(\"<question id>\")` or `grader.check_all()` checks the *format* of your answers "
        "(a letter among the options, a number), never whether they are right."]
    cells = [nbformat.v4.new_markdown_cell("\n".join(intro)),
             nbformat.v4.new_code_cell(f'from autograder import Notebook\n\nANSWERS = {{}}\ngrader = Notebook("{spec.id}")')]
    for number, question in enumerate(bank.questions, start=1):
        cells.append(nbformat.v4.new_markdown_cell(_question_markdown(number, question)))
        cells.append(nbformat.v4.new_code_cell(f'ANSWERS["{question.id}"] = None  # {question.format_hint()}'))
    cells.append(nbformat.v4.new_markdown_cell("## Check the format of every answer"))
    cells.append(nbformat.v4.new_code_cell("grader.check_all()"))
    for number, cell in enumerate(cells):
        cell.id = f"{spec.id}-{number:03d}"
        notebook.cells.append(cell)
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def make_question_readme(spec: AssignmentSpec) -> str:
    bank = spec.question_bank
    rows = "\n".join(f"| {n} | `{q.id}` | {q.title} | {q.topic} | {q.kind} | {q.points:g} |" for n, q in enumerate(bank.questions, start=1))
    questions = "\n\n".join(_question_markdown(n, q, "###") for n, q in enumerate(bank.questions, start=1))
    intro = f"{bank.intro}\n\n" if bank.intro else ""
    return f"""# {spec.title}

<!-- generated by `autograder release {spec.id}`; edit solutions/{spec.id}/questions.toml instead -->

{intro}{_wrap(_HOW_TO_ANSWER, 84)}

Work in `{spec.id}.ipynb` (one answer cell per question) or in `{spec.module_file}`.

| # | id | question | topic | kind | points |
|---|---|---|---|---|---|
{rows}

**Total: {spec.max_score:g} points.** Each question scores all its points or none
(a `multi` question needs exactly the right letters). The feedback says right or
wrong per question.

## Check your work

```
autograder check {spec.module_file}          # or your notebook: autograder check {spec.id}.ipynb
```

In the notebook: `grader.check_all()`. The checks look at the format of each
answer only (a letter among the options, a number, a list of letters).

## Submit

Submit `{spec.module_file}` or `{spec.id}.ipynb` (or `grader.export()`'s zip).

## Questions

{questions}
"""


def _toml_string(text: str) -> str:
    """A TOML string holding ``text``: multi-line literal when it can be, else a basic string."""
    import json

    if "\n" in text and "'''" not in text and "\r" not in text:
        return f"'''\n{text}\n'''"
    return json.dumps(text, ensure_ascii=False)  # JSON string escapes are valid TOML basic-string escapes


def public_bank_toml(spec: AssignmentSpec) -> str:
    """The released ``questions.toml``, written from the parsed bank.

    Not a copy: comments (where an instructor might have noted an answer) and
    formatting are dropped, and the written file is read back and compared with
    the bank, so what ships is exactly the public fields.
    """
    import tempfile

    from autograder.question_bank import load_bank

    bank = spec.question_bank
    lines = [f"# generated by `autograder release {spec.id}` from solutions/{spec.id}/{bank.path.name} (the public fields only)", ""]
    if bank.intro:
        lines += [f"intro = {_toml_string(bank.intro)}", ""]
    for question in bank.questions:
        lines += ["[[questions]]", f"id = {_toml_string(question.id)}", f"topic = {question.topic}", f"kind = {_toml_string(question.kind)}",
                  f"title = {_toml_string(question.title)}",
                  f"points = {int(question.points) if question.points.is_integer() else question.points!r}"]
        if question.kind == "numeric":
            lines.append(f"tolerance = {question.tolerance!r}")
        lines.append(f"text = {_toml_string(question.text)}")
        if question.options:
            lines += ["options = ["] + [f"    {_toml_string(option)}," for option in question.options] + ["]"]
        lines.append("")
    text = "\n".join(lines)
    with tempfile.TemporaryDirectory() as scratch:
        written = pathlib.Path(scratch) / bank.path.name
        written.write_text(text, encoding="utf-8")
        again = load_bank(written)
    if again.questions != bank.questions or again.intro != bank.intro:
        raise ValueError(f"the released {bank.path.name} does not read back as the bank (a bug in public_bank_toml)")
    return text


def release_files(spec: AssignmentSpec) -> dict[str, bytes]:
    """Relative path -> content of every file of ``assignments/<id>`` for a question assignment."""
    root = spec.root
    bank = spec.question_bank
    files = {
        "assignment.toml": (root / "assignment.toml").read_bytes(),
        bank.path.name: public_bank_toml(spec).encode(),
        spec.module_file: stub_source(spec).encode(),
        f"{spec.id}.ipynb": make_question_notebook(spec).encode(),
        "README.md": make_question_readme(spec).encode(),
    }
    files.update(spec.public_test_files())
    return files
