"""Notebook submission -> module source, without running the notebook.

From each code cell, in order, we keep what *defines* things: imports, function
and class definitions, and assignments of constant expressions (no calls).
Everything else (magics ``%...``, shell escapes ``!...``, calls, loops, plots,
training runs, ``grader.check(...)``) is left out and listed in the feedback, so
a notebook full of experiments grades in milliseconds and nothing in it runs
during extraction.

Policy for syntax errors: a cell that does not parse is left out as a whole and
named in the feedback with its line ("cell 7, line 3: invalid syntax"); the rest
of the notebook is still used, so only the tests needing that cell's functions fail.

Formats: nbformat v4 is read as is, v3 is upgraded; anything else (v5, a
missing version, a schema violation, invalid JSON) is rejected with a message.
Outputs are ignored and never parsed.
"""

from __future__ import annotations

import ast
import json
import re

__all__ = ["notebook_to_module", "read_notebook", "read_notebook_cells"]

# Imports that only serve display or the in-notebook checks: left out of the graded module.
_DISPLAY_MODULES = {"matplotlib", "seaborn", "IPython", "ipywidgets", "tqdm", "autograder", "plotly", "google"}
_SHELL_ASSIGN = re.compile(r"^\s*[\w, ]+=\s*[!%]")


def read_notebook(data: bytes, label: str):
    """Bytes of an ``.ipynb`` -> a validated nbformat v4 ``NotebookNode`` (v3 upgraded).

    Raises :class:`autograder.intake.IntakeError` with a message for the student
    when the bytes are not a notebook we read (invalid JSON, no or an unsupported
    version, a schema violation).
    """
    from autograder.errors import IntakeError

    try:
        text = data.decode("utf-8-sig")
        raw = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IntakeError(f"{label} is not a readable notebook (invalid JSON: {exc})") from None
    if not isinstance(raw, dict):
        raise IntakeError(f"{label} is not a readable notebook (the top level is not a JSON object)")
    major = raw.get("nbformat")
    if major not in (3, 4):
        found = "no nbformat version" if major is None else f"nbformat {major!r}"
        raise IntakeError(f"{label} is not a readable notebook: it has {found}; versions 3 and 4 are supported")
    import nbformat

    try:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except Exception as exc:  # nbformat raises several types for malformed files
        message = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        raise IntakeError(f"{label} is not a readable notebook (it does not follow the notebook format: {message})") from None
    return notebook


def read_notebook_cells(data: bytes, label: str) -> list[tuple[int, str]]:
    """``[(cell_number, source)]`` of the code cells (numbered from 1 among all cells)."""
    cells = []
    for number, cell in enumerate(read_notebook(data, label).cells, start=1):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            cells.append((number, source if isinstance(source, str) else "".join(source)))
    return cells


class _LineScanner:
    """Tracks brackets, strings and backslashes across physical lines (no tokenizer needed)."""

    def __init__(self):
        self.depth = 0
        self.string: str | None = None
        self.continued = False

    @property
    def at_logical_start(self) -> bool:
        return self.depth == 0 and self.string is None and not self.continued

    def scan(self, line: str) -> None:
        index, length = 0, len(line)
        self.continued = False
        while index < length:
            char = line[index]
            if self.string:
                if char == "\\":
                    index += 2
                    continue
                if line.startswith(self.string, index):
                    index += len(self.string)
                    self.string = None
                    continue
                index += 1
                continue
            if char == "#":
                return
            if char in "\"'":
                quote = line[index:index + 3] if line[index:index + 3] in ('"""', "'''") else char
                self.string = quote
                index += len(quote)
                continue
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            index += 1
        if self.string in ("'", '"'):
            self.string = None  # an unterminated one-line string ends with its line (a syntax error later)
        self.continued = self.string is None and line.rstrip().endswith("\\")


_HELP = re.compile(r"^\s*[?]{0,2}[\w.]+[?]{1,2}\s*$|^\s*[?]{1,2}[\w.]+\s*$")


def _strip_magics(source: str) -> tuple[str, list[str]]:
    """Remove IPython-only lines (``%``, ``%%`` cells, ``!``, ``x = !cmd``, ``obj?``) -> (code, removed).

    Only lines where a logical Python line starts are considered, so continuation
    lines and the insides of strings are left alone. Removed lines become blank
    lines, so line numbers in messages still match the cell.
    """
    lines = source.split("\n")
    if lines and lines[0].lstrip().startswith("%%"):
        return "", [lines[0].strip()]
    kept, removed = [], []
    scanner = _LineScanner()
    for line in lines:
        stripped = line.lstrip()
        if scanner.at_logical_start and (stripped.startswith(("%", "!")) or _SHELL_ASSIGN.match(line) or _HELP.match(line)):
            removed.append(stripped[:60])
            kept.append("")  # keep line numbers
            continue
        kept.append(line)
        scanner.scan(line)
    return "\n".join(kept), removed


def _is_constant_expression(node: ast.AST) -> bool:
    allowed = (ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.UnaryOp, ast.BinOp, ast.Name, ast.Attribute, ast.Load, ast.operator, ast.unaryop)
    return all(isinstance(child, allowed) for child in ast.walk(node))


def _keep(statement: ast.stmt, own_module: str | None = None) -> tuple[bool, str]:
    """Whether a top-level statement defines something; if not, a word for what it is.

    ``own_module``: the assignment's module name; importing it from the notebook
    would make the built module import itself, so such imports are left out.
    """
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True, ""
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        names = [statement.module or ""] if isinstance(statement, ast.ImportFrom) else [alias.name for alias in statement.names]
        if any(name.split(".")[0] in _DISPLAY_MODULES for name in names):
            return False, "display import"
        if own_module and any(name.split(".")[0] == own_module for name in names):
            return False, f"import of {own_module} (only the notebook's own definitions are graded)"
        return True, ""
    if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None and _is_constant_expression(statement.value):
        return True, ""
    if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return False, "computed assignment"
    if isinstance(statement, ast.Expr):
        return False, "call" if isinstance(statement.value, ast.Call) else "expression"
    return False, type(statement).__name__.lower()


def notebook_to_module(data: bytes, label: str, own_module: str | None = None) -> tuple[str, list[str]]:
    """The module source built from a notebook's definitions, and notes for the feedback.

    ``own_module`` is the assignment's module name (imports of it are left out).
    """
    cells = read_notebook_cells(data, label)
    parts = [f"# Built by the autograder from the definitions in {label}."]
    notes: list[str] = []
    left_out: dict[str, list[int]] = {}
    for number, source in cells:
        code, removed = _strip_magics(source)
        if removed:
            left_out.setdefault("magic/shell", []).append(number)
        if not code.strip():
            continue
        try:
            tree = ast.parse(code)
        except SyntaxError as exc:
            notes.append(f"cell {number}, line {exc.lineno}: SyntaxError: {exc.msg}; this cell was left out")
            continue
        kept = []
        for statement in tree.body:
            keep, what = _keep(statement, own_module)
            if keep:
                kept.append(ast.get_source_segment(code, statement, padded=True) or ast.unparse(statement))
            else:
                left_out.setdefault(what, []).append(number)
        if kept:
            parts.append(f"\n# --- cell {number} ---\n" + "\n".join(kept))
    if left_out:
        summary = "; ".join(f"{what} in cell{'s' if len(set(cells_)) > 1 else ''} {', '.join(map(str, sorted(set(cells_))[:12]))}" for what, cells_ in left_out.items())
        notes.append(f"not run (only definitions are graded): {summary}")
    if len(parts) == 1:
        notes.append("the notebook defines no functions")
    return "\n".join(parts) + "\n", notes
