"""Notebook submission -> module source, without running the notebook.

From each code cell, in order, we keep what *defines* things: imports, function
and class definitions, assignments of constant expressions (no calls), and
``try`` blocks made only of these (``try: from scipy.special import logsumexp``
``except ImportError: def logsumexp(...)``: the fallback works when graded as
the student wrote it). Everything else (magics ``%...``, shell escapes
``!...``, calls, loops, plots, training runs, ``grader.check(...)``) is left out
and listed in the feedback, so a notebook full of experiments grades in
milliseconds and nothing in it runs during extraction.

The kept code must stand on its own (dependency closure): a definition that
reads at import time (:mod:`autograder.import_time`: right-hand sides,
decorators, default values, evaluated annotations, base classes, class bodies)
a name that no earlier kept statement defines is left out too, and listed with
its cell, and so on until nothing kept needs what was left out. So ``x =
np.random.randn(64, 10)`` followed by ``out = x`` leaves out both, instead of a
module that dies with ``NameError`` when it loads. Function bodies do not run at
import: a function that uses a left-out name is kept, and only its calls fail
(the feedback names such functions).

Imports that grading does not offer (another grader's ``import otter``,
``tqdm``, plots, packages outside ``student_packages``, forbidden ones) are left
out and listed, and their names bound to placeholders whose every use raises a
``ModuleNotFoundError`` naming the package and the cell
(:mod:`autograder.notebook_imports`). ``from __future__`` imports move to the top.

Policy for syntax errors: a cell that does not compile is left out as a whole and
named in the feedback with its line ("cell 7, line 3: invalid syntax"); the rest
of the notebook is still used, so only the tests needing that cell's functions fail.

Formats: nbformat v4 is read as is, v3 is upgraded; anything else (v5, a
missing version, a schema violation, invalid JSON) is rejected with a message.
Outputs are ignored and never parsed.
"""

from __future__ import annotations

import __future__
import ast
import dataclasses
import json
import re

from autograder.import_time import ALWAYS_DEFINED, Use, bound_names, call_time_use, definitely_bound, import_time_use
from autograder.notebook_imports import PLACEHOLDER_CLASS, PLACEHOLDER_FACTORY, placeholder_message, unavailable_reason
from autograder.student_imports import ImportRule

__all__ = ["notebook_to_module", "read_notebook", "read_notebook_cells"]

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


_CONSTANT_NODES = (ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.UnaryOp, ast.BinOp, ast.Name, ast.Attribute,
                   ast.Load, ast.operator, ast.unaryop)


def _is_constant_expression(node: ast.AST) -> bool:
    """Literals, names, attributes and operators; no calls. A ``lambda`` counts (its body does not run
    until it is called) when its default values are constant expressions."""
    pending = [node]
    while pending:
        child = pending.pop()
        if isinstance(child, ast.Lambda):
            pending.extend([*child.args.defaults, *(d for d in child.args.kw_defaults if d is not None)])
        elif isinstance(child, _CONSTANT_NODES):
            pending.extend(ast.iter_child_nodes(child))
        else:
            return False
    return True


def _is_definition(statement: ast.stmt) -> bool:
    """Imports, ``def``, ``class``, assignments of constant expressions, and ``try`` blocks made only of these."""
    if isinstance(statement, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass)):
        return True
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        return statement.value is not None and _is_constant_expression(statement.value)
    if isinstance(statement, ast.Expr):  # a docstring or ``...``
        return isinstance(statement.value, ast.Constant)
    if isinstance(statement, ast.Try):
        blocks = [statement.body, statement.orelse, statement.finalbody, *(handler.body for handler in statement.handlers)]
        return all(_is_definition(inner) for block in blocks for inner in block)
    return False


def _left_out_kind(statement: ast.stmt) -> str:
    """A word for a statement that is not a definition (for the "not run" note)."""
    if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return "computed assignment"
    if isinstance(statement, ast.Expr):
        return "call" if isinstance(statement.value, ast.Call) else "expression"
    if isinstance(statement, ast.Try):
        return "try with more than definitions"
    return type(statement).__name__.lower()


_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def _catches_import_error(statement: ast.Try) -> bool:
    def catches(handler: ast.ExceptHandler) -> bool:
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        return handler.type is None or any(isinstance(t, ast.Name) and t.id in _IMPORT_ERRORS for t in types)

    return any(catches(handler) for handler in statement.handlers)


@dataclasses.dataclass
class _Item:
    """One top-level statement of the notebook, in order."""

    cell: int
    node: ast.stmt
    source: str
    kept: bool = False
    kind: str = ""                  # why it is left out: a word for the "not run" note ...
    unavailable: str = ""           # ... or why its import is not available when graded ...
    needs: str = ""                 # ... or what it needs that the kept code lacks (names, imports)
    placeholders: dict[str, str] = dataclasses.field(default_factory=dict)  # name -> message

    @property
    def label(self) -> str:
        """A short name for the statement in notes: ``def f``, ``import otter``, ``out = x``."""
        if isinstance(self.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return f"def {self.node.name}"
        if isinstance(self.node, ast.ClassDef):
            return f"class {self.node.name}"
        if isinstance(self.node, ast.Try):
            return "try: " + _shorten(ast.unparse(self.node.body[0]) if self.node.body else "")
        return _shorten(self.source.strip())


def _shorten(text: str, limit: int = 50) -> str:
    first = text.split("\n", 1)[0]
    return first if len(first) <= limit and "\n" not in text else first[:limit].rstrip() + " ..."


_NEWLINE = re.compile(r"\r\n|\r|\n")  # what Python counts as a line break (not \f, not \u2028)


def _source_of(lines: list[bytes], statement: ast.stmt) -> str:
    """The text of a top-level statement, decorators included (``ast.get_source_segment``
    leaves them out). ``lines``: the cell's lines as UTF-8 (AST columns count bytes)."""
    decorators = getattr(statement, "decorator_list", None)
    if decorators:  # a decorated statement starts its first line
        start_line, start_col = min(decorator.lineno for decorator in decorators), 0
    else:
        start_line, start_col = statement.lineno, statement.col_offset
    end_line, end_col = statement.end_lineno, statement.end_col_offset
    if start_line == end_line:
        return lines[start_line - 1][start_col:end_col].decode("utf-8")
    parts = [lines[start_line - 1][start_col:], *lines[start_line: end_line - 1], lines[end_line - 1][:end_col]]
    return b"\n".join(parts).decode("utf-8")


def _split_imports(statement: ast.stmt, source: str) -> list[tuple[ast.stmt, str]]:
    """``import os, tqdm`` -> one statement per module (each is kept or left out on its own)."""
    if isinstance(statement, ast.Import) and len(statement.names) > 1:
        parts = []
        for alias in statement.names:
            single = ast.Import(names=[alias])
            ast.copy_location(single, statement)
            parts.append((single, ast.unparse(single)))
        return parts
    return [(statement, source)]


def _parse_cells(cells: list[tuple[int, str]], notes: list[str]) -> tuple[list[_Item], list[int]]:
    """Every top-level statement of the cells that compile, in order; and the cells with magics."""
    items: list[_Item] = []
    magic_cells: list[int] = []
    for number, source in cells:
        code, removed = _strip_magics(source)
        if removed:
            magic_cells.append(number)
        if not code.strip():
            continue
        try:
            tree = ast.parse(code)
            # What only the compiler checks (``return`` outside a function, a misplaced
            # ``from __future__``) fails the cell in Jupyter too. Nothing runs here.
            compile(tree, f"cell {number}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
        except SyntaxError as exc:
            notes.append(f"cell {number}, line {exc.lineno}: SyntaxError: {exc.msg}; this cell was left out")
            continue
        except (ValueError, RecursionError, MemoryError) as exc:
            notes.append(f"cell {number} could not be read ({type(exc).__name__}); this cell was left out")
            continue
        lines = [line.encode("utf-8") for line in _NEWLINE.split(code)]
        for statement in tree.body:
            for node, text in _split_imports(statement, _source_of(lines, statement)):
                items.append(_Item(number, node, text))
    return items, magic_cells


class _Closure:
    """Decides, statement by statement in notebook order, what the graded module keeps.

    A definition is kept when everything it reads at import time (see
    :mod:`autograder.import_time`) is defined by an earlier kept statement or is
    a builtin; otherwise it is left out too, and so are, in turn, the statements
    that need it. Imports that grading does not offer are left out and their
    names bound to placeholders (:mod:`autograder.notebook_imports`).
    """

    def __init__(self, rule: ImportRule | None, own_module: str | None, installed: frozenset[str] | None, lazy_annotations: bool):
        self.rule = rule
        self.own_module = own_module
        self.installed = installed
        self.lazy_annotations = lazy_annotations
        self.defined: set[str] = set(ALWAYS_DEFINED)
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}  # kept functions, by their current name
        self.left_out_by: dict[str, _Item] = {}   # a name not defined by kept code -> the left-out statement binding it
        self.star_import = False                  # a kept ``from x import *``: unknown names may be defined
        self._body_uses: dict[int, Use] = {}     # call_time_use of the kept functions, by id of the node

    def _body_use(self, function) -> Use:
        if id(function) not in self._body_uses:
            self._body_uses[id(function)] = call_time_use(function)
        return self._body_uses[id(function)]

    def _unavailable(self, node, module: str) -> str | None:
        if self.installed is None and (self.rule is None or self.rule.allowed is None):  # only then consulted
            from autograder.student_imports import installed_third_party

            self.installed = installed_third_party()
        return unavailable_reason(node, module, self.rule, self.own_module, self.installed)

    def decide(self, item: _Item) -> None:
        node = item.node
        if isinstance(node, ast.ImportFrom) and node.module == "__future__" and not node.level:
            unknown = [alias.name for alias in node.names if alias.name not in __future__.all_feature_names]
            item.kept = not unknown
            item.kind = "" if item.kept else "unknown __future__ feature"
            return
        if not _is_definition(node):
            item.kind = _left_out_kind(node)
            self._leave_out(item)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.names[0].name if isinstance(node, ast.Import) else (node.module or "")
            reason = self._unavailable(node, module)
            if reason:
                item.unavailable = reason
                package = "." * getattr(node, "level", 0) + module.split(".")[0]
                for name in bound_names(node) - {"*"}:
                    item.placeholders[name] = placeholder_message(package, item.cell, reason)
                self._leave_out(item)
                return
        problems = self._unavailable_imports(node, protected=False)
        if problems:
            item.needs = "; ".join(problems)
            self._leave_out(item)
            return
        try:
            needs = self._needs(node)
        except RecursionError:
            item.kind = "statement too deeply nested to check"
            self._leave_out(item)
            return
        if needs:
            item.needs = needs
            self._leave_out(item)
            return
        item.kept = True
        for name in definitely_bound(node):
            self.defined.add(name)
            self.left_out_by.pop(name, None)
            self.functions.pop(name, None)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.functions[node.name] = node
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            self.star_import = True

    def _unavailable_imports(self, node: ast.stmt, protected: bool) -> list[str]:
        """Imports that run at import time inside ``node`` (a class body, a ``try``) and fail when
        graded; those in the body of a ``try`` that catches ``ImportError`` fall back as the student wrote."""
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.names[0].name if isinstance(node, ast.Import) else (node.module or "")
            problems = []
            for alias in node.names if isinstance(node, ast.Import) else [None]:
                name = alias.name if alias else module
                reason = self._unavailable(node, name)
                # The notebook's own module and relative imports have no fallback that means what the
                # student meant (the module would import itself): never kept, even in a ``try``.
                itself = bool(getattr(node, "level", 0)) or name.split(".")[0] == self.own_module
                if reason and (itself or not protected):
                    problems.append(f"{ast.unparse(node)} (not available when graded: {reason})")
            return problems
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return []
        if isinstance(node, ast.Try):
            catches = _catches_import_error(node)
            found = [p for inner in node.body for p in self._unavailable_imports(inner, protected or catches)]
            rest = [*node.orelse, *node.finalbody, *(s for handler in node.handlers for s in handler.body)]
            return found + [p for inner in rest for p in self._unavailable_imports(inner, protected)]
        if isinstance(node, ast.ClassDef):
            return [p for inner in node.body for p in self._unavailable_imports(inner, protected)]
        return []

    def _needs(self, node: ast.stmt) -> str:
        """The names ``node`` reads at import time that no earlier kept statement defines, described; ``""`` if none."""
        use = import_time_use(node, lazy_annotations=self.lazy_annotations)
        reads = set(use.reads)
        pending, followed = list(use.calls), set()
        while pending:  # a call at import time (a decorator, a call in a class body) runs that function's body
            name = pending.pop()
            if name in followed or name not in self.functions or name not in self.defined:
                continue
            followed.add(name)
            body = self._body_use(self.functions[name])
            reads |= body.reads
            pending.extend(body.calls)
        missing = sorted(name for name in reads - self.defined if not (self.star_import and name not in self.left_out_by))
        return ", ".join(self._origin(name) for name in missing[:5]) + (", ..." if len(missing) > 5 else "")

    def _origin(self, name: str) -> str:
        """Where a name the kept code lacks comes from: ``x (cell 3, not run)``."""
        source = self.left_out_by.get(name)
        if source is None:
            return f"{name} (not defined before it)"
        if source.placeholders:
            return f"{name} (its import in cell {source.cell} is not available when graded)"
        return f"{name} (cell {source.cell}, not run)"

    def _leave_out(self, item: _Item) -> None:
        for name in bound_names(item.node) - {"*"}:
            if name in item.placeholders:
                self.defined.discard(name)  # the placeholder replaces whatever the name was
                self.functions.pop(name, None)
            if name not in self.defined:
                self.left_out_by[name] = item

    def call_time_warnings(self) -> list[str]:
        """Kept functions whose bodies read names that only left-out code defines: their calls fail."""
        warnings = []
        left_out = set(self.left_out_by)
        for name, function in self.functions.items():
            if name not in self.defined:
                continue
            uses = sorted(self._body_use(function).reads & left_out - self.defined)
            if uses:
                where = ", ".join(self._origin(used) for used in uses[:4]) + (", ..." if len(uses) > 4 else "")
                warnings.append(f"{name} uses {where}")
        return warnings


def notebook_to_module(data: bytes, label: str, own_module: str | None = None, import_rule: ImportRule | None = None,
                       installed: frozenset[str] | None = None) -> tuple[str, list[str]]:
    """The module source built from a notebook's definitions, and notes for the feedback.

    ``own_module``: the assignment's module name (imports of it are left out);
    ``import_rule``: what grading offers (:attr:`autograder.spec.AssignmentSpec.import_rule`;
    ``None``: everything installed here); ``installed``: the third-party packages
    installed where grading runs (default: those on this interpreter's path).
    """
    cells = read_notebook_cells(data, label)
    notes: list[str] = []
    items, magic_cells = _parse_cells(cells, notes)
    futures = [item for item in items if isinstance(item.node, ast.ImportFrom) and item.node.module == "__future__" and not item.node.level]
    lazy = any(alias.name == "annotations" for item in futures for alias in item.node.names)
    closure = _Closure(import_rule, own_module, installed, lazy)
    for item in items:
        closure.decide(item)

    body: list[str] = []
    current_cell = None
    uses_placeholder = False
    for item in items:
        if item in futures:
            continue
        lines = [item.source] if item.kept else [f"{name} = {PLACEHOLDER_FACTORY}({message!r})" for name, message in item.placeholders.items()]
        if not lines:
            continue
        uses_placeholder = uses_placeholder or not item.kept
        if item.cell != current_cell:
            body.append(f"\n# --- cell {item.cell} ---")
            current_cell = item.cell
        body.extend(lines)
    header = [f"# Built by the autograder from the definitions in {label}."]
    header += [item.source for item in futures if item.kept]
    if uses_placeholder:
        header.append(PLACEHOLDER_CLASS)
    notes += _notes(items, magic_cells, closure, import_rule)
    if not any(item.kept and isinstance(item.node, (ast.FunctionDef, ast.AsyncFunctionDef)) for item in items):
        notes.append("the notebook defines no functions")
    return "\n".join(header + body) + "\n", notes


def _cells_listing(cells: list[int]) -> str:
    unique = sorted(set(cells))
    return f"cell{'s' if len(unique) > 1 else ''} {', '.join(map(str, unique[:12]))}" + (" ..." if len(unique) > 12 else "")


def _listing(entries: list[str], limit: int = 12) -> str:
    return "; ".join(entries[:limit]) + (f"; and {len(entries) - limit} more" if len(entries) > limit else "")


def _notes(items: list[_Item], magic_cells: list[int], closure: _Closure, rule: ImportRule | None) -> list[str]:
    """The feedback about what was left out: unavailable imports, what needs left-out code, what was not run."""
    notes = []
    by_reason: dict[str, list[str]] = {}
    for item in items:
        if item.unavailable:
            by_reason.setdefault(item.unavailable, []).append(f"{item.label} in cell {item.cell}")
    for reason, entries in by_reason.items():
        notes.append(f"not available when graded ({reason}), left out: {_listing(entries)}")
    needing = [f"{item.label} in cell {item.cell} (needs {item.needs})" for item in items if item.needs]
    if needing:
        notes.append(f"left out because they need code that is not run when graded: {_listing(needing, 8)}")
    kinds: dict[str, list[int]] = {}
    if magic_cells:
        kinds["magic/shell"] = magic_cells
    for item in items:
        if item.kind:
            kinds.setdefault(item.kind, []).append(item.cell)
    if kinds:
        summary = "; ".join(f"{kind} in {_cells_listing(cells)}" for kind, cells in kinds.items())
        notes.append(f"not run (only definitions are graded): {summary}")
    warnings = closure.call_time_warnings()
    if warnings:
        notes.append(f"calling these functions fails when graded, as they use what was left out: {_listing(warnings, 8)}")
    return notes
