"""Which global names a module-level statement reads, calls and binds when its module is imported.

Static analysis of one top-level statement (nothing is run), used by
:mod:`autograder.notebook_code` to check that the part of a notebook it keeps
stands on its own. "At import time" is what Python executes while the module
runs from top to bottom:

- the right-hand side of an assignment (and the object and index of
  ``obj.attr = ...`` / ``d[k] = ...`` targets);
- a function's decorators, default values and annotations (annotations only
  when they are evaluated, i.e. without ``from __future__ import annotations``),
  but not its body;
- a class's decorators, bases and keywords, and every statement of its body
  (methods: again decorators, defaults and annotations, not their bodies);
- a lambda's defaults, but not its body;
- a comprehension in full (its first iterable in the enclosing scope, the rest
  in its own scope, which does not see a class body's names);
- every branch of a ``try`` (a branch's names are available to the statements
  after them in that branch).

A name read in a class body is the class's own when an earlier statement of
that body bound it, else a global. Calls of plain names (decorators included)
are reported separately: the caller follows them into the called function's body
(:func:`call_time_use`), since that body then runs at import time too.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses

__all__ = ["ALWAYS_DEFINED", "Use", "bound_names", "call_time_use", "definitely_bound", "import_time_use"]

# Names every module has without defining them.
ALWAYS_DEFINED = frozenset(dir(builtins)) | frozenset({
    "__name__", "__file__", "__doc__", "__spec__", "__loader__", "__package__", "__builtins__", "__cached__", "__annotations__",
})

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


@dataclasses.dataclass
class Use:
    """What running one statement at import time needs.

    ``reads``: global names it reads (not bound earlier by the statement itself);
    ``calls``: the subset of ``reads`` called as plain names (``f(...)``, ``@f``);
    ``imports``: the import statements it executes (nested in a class body or a ``try``).
    """

    reads: set[str] = dataclasses.field(default_factory=set)
    calls: set[str] = dataclasses.field(default_factory=set)
    imports: list[ast.Import | ast.ImportFrom] = dataclasses.field(default_factory=list)


def import_time_use(statement: ast.stmt, *, lazy_annotations: bool = False) -> Use:
    """The global names ``statement`` (at module level) reads and calls while the module is imported.

    ``lazy_annotations``: the module has ``from __future__ import annotations``.
    """
    scope = _Scope(lazy_annotations)
    scope.statement(statement)
    return scope.use


def call_time_use(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Use:
    """The global names ``function``'s body reads and calls when it is called (the
    bodies of functions and lambdas nested in it are not followed: they run only if called)."""
    local = {arg.arg for arg in _all_args(function.args)}
    declared_global: set[str] = set()
    pending: list[ast.AST] = list(function.body)
    loads: list[ast.Name] = []
    calls: set[str] = set()
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            declared_global.update(node.names)
            continue
        if isinstance(node, _FUNCTIONS + (ast.ClassDef,)):
            local.add(node.name)
            pending.extend(node.decorator_list)
            if isinstance(node, ast.ClassDef):
                pending.extend(node.bases + [keyword.value for keyword in node.keywords] + node.body)
            else:
                pending.extend(_defaults(node.args))
            continue
        if isinstance(node, ast.Lambda):
            pending.extend(_defaults(node.args))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            local.update(name for name in _import_bindings(node) if name != "*")
            continue
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                loads.append(node)
            else:
                local.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            local.add(node.name)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            calls.add(node.func.id)
        pending.extend(ast.iter_child_nodes(node))
    local -= declared_global
    reads = {node.id for node in loads if node.id not in local}
    return Use(reads, calls & reads)


def bound_names(statement: ast.stmt) -> set[str]:
    """Every global name ``statement`` may bind (``"*"`` for a star import)."""
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return set(_import_bindings(statement))
    if isinstance(statement, _FUNCTIONS + (ast.ClassDef,)):
        return {statement.name}
    names: set[str] = set()
    pending: list[ast.AST] = [statement]
    while pending:
        node = pending.pop()
        if isinstance(node, _FUNCTIONS + (ast.ClassDef,)):
            names.add(node.name)
            continue  # its body binds its own names
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(_import_bindings(node))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.Lambda):
            continue
        elif isinstance(node, _COMPREHENSIONS):
            # only ``:=`` inside a comprehension binds in the enclosing scope
            names.update(sub.target.id for sub in ast.walk(node) if isinstance(sub, ast.NamedExpr))
            continue
        pending.extend(ast.iter_child_nodes(node))
    return names


def definitely_bound(statement: ast.stmt) -> set[str]:
    """The global names bound once ``statement`` has run without raising.

    For a ``try``: what the body and ``else`` bind and every handler binds too
    (whichever way it went), plus what ``finally`` binds. Other compound
    statements bind nothing for sure (a branch or loop may not run).
    """
    if isinstance(statement, ast.Try):
        normal = _bound_in(statement.body) | _bound_in(statement.orelse)
        for handler in statement.handlers:
            handled = _bound_in(handler.body) | ({handler.name} if handler.name else set())
            normal &= handled
        return normal | _bound_in(statement.finalbody)
    if isinstance(statement, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Match, ast.Delete)):
        return set()
    if isinstance(statement, ast.AnnAssign) and statement.value is None:
        return set()  # ``x: int`` binds nothing
    return bound_names(statement) - {"*"}


def _bound_in(statements: list[ast.stmt]) -> set[str]:
    names: set[str] = set()
    for statement in statements:
        names |= definitely_bound(statement)
    return names


def _import_bindings(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.asname or alias.name.split(".")[0] for alias in node.names]
    return [alias.asname or alias.name for alias in node.names]


def _all_args(args: ast.arguments) -> list[ast.arg]:
    return [*args.posonlyargs, *args.args, *([args.vararg] if args.vararg else []), *args.kwonlyargs, *([args.kwarg] if args.kwarg else [])]


def _defaults(args: ast.arguments) -> list[ast.expr]:
    return [*args.defaults, *(default for default in args.kw_defaults if default is not None)]


def _annotations(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    found = [arg.annotation for arg in _all_args(node.args) if arg.annotation is not None]
    return found + ([node.returns] if node.returns is not None else [])


class _Scope:
    """Runs through statements the way the interpreter executes them at import, in one
    scope (the module, or a class body): records global reads, calls and imports."""

    def __init__(self, lazy_annotations: bool, module_bound: set[str] | None = None, use: Use | None = None,
                 enclosing: tuple[set[str], ...] = (), is_class: bool = False):
        self.lazy_annotations = lazy_annotations
        # Global names bound earlier in the same top-level statement (a ``try`` branch binds
        # names the next statements of that branch read); shared by the nested scopes.
        self.module_bound: set[str] = set() if module_bound is None else module_bound
        # The names of this scope: the module's own (the same set), a class body's or a comprehension's.
        self.local: set[str] = self.module_bound if module_bound is None else set()
        self.enclosing = enclosing  # names of enclosing comprehensions, visible here
        self.is_class = is_class
        self.use = use if use is not None else Use()

    # -- statements
    def statements(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            self.statement(statement)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, _FUNCTIONS):
            self.expressions(node.decorator_list, called=True)
            self.expressions(_defaults(node.args))
            if not self.lazy_annotations:
                self.expressions(_annotations(node))
            self.local.add(node.name)
        elif isinstance(node, ast.ClassDef):
            self.expressions(node.decorator_list, called=True)
            self.expressions(node.bases + [keyword.value for keyword in node.keywords])
            body = _Scope(self.lazy_annotations, self.module_bound, self.use, is_class=True)  # sees globals, not an enclosing class's names
            body.statements(node.body)
            self.local.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self.use.imports.append(node)
            self.local.update(name for name in _import_bindings(node) if name != "*")
        elif isinstance(node, ast.Try) or (hasattr(ast, "TryStar") and isinstance(node, ast.TryStar)):
            self._try(node)
        elif isinstance(node, ast.AnnAssign):
            self.expression(node.value)
            if not self.lazy_annotations:
                self.expression(node.annotation)
            self.target(node.target, bind=node.value is not None)
        elif isinstance(node, ast.Assign):
            self.expression(node.value)
            for target in node.targets:
                self.target(target)
        elif isinstance(node, ast.AugAssign):
            self.expression(node.value)
            if isinstance(node.target, ast.Name):
                self.read(node.target.id)
            self.target(node.target)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self.expression(node.iter)
            self.target(node.target)
            self.statements(node.body)
            self.statements(node.orelse)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self.expression(item.context_expr)
                if item.optional_vars is not None:
                    self.target(item.optional_vars)
            self.statements(node.body)
        elif isinstance(node, (ast.If, ast.While)):
            self.expression(node.test)
            self.statements(node.body)
            self.statements(node.orelse)
        elif isinstance(node, ast.Match):
            self.expression(node.subject)
            for case in node.cases:
                for sub in ast.walk(case.pattern):
                    if isinstance(sub, ast.expr):
                        self.expression(sub)
                    for name in (getattr(sub, "name", None), getattr(sub, "rest", None)):
                        if isinstance(name, str):
                            self.local.add(name)
                self.expression(case.guard)
                self.statements(case.body)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                self.target(target)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            pass
        else:  # Expr, Return, Raise, Assert, Pass, Break, Continue, ...
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expression(child)

    def _try(self, node: ast.Try) -> None:
        """Each branch sees what it bound itself; after the ``try``, what every way through bound."""
        before = set(self.local)
        self.statements(node.body)
        self.statements(node.orelse)
        bound_every_way = set(self.local)
        for handler in node.handlers:
            self._reset_local(before)
            self.expression(handler.type)
            if handler.name:
                self.local.add(handler.name)
            self.statements(handler.body)
            bound_every_way &= self.local
        self._reset_local(before | bound_every_way)
        self.statements(node.finalbody)

    def _reset_local(self, names: set[str]) -> None:
        self.local.clear()  # in place: nested scopes share the module's set
        self.local.update(names)

    def target(self, node: ast.expr, bind: bool = True) -> None:
        """An assignment target: names are bound; ``obj.attr`` and ``d[k]`` read ``obj``, ``d`` and ``k``."""
        if isinstance(node, ast.Name):
            if bind:
                self.local.add(node.id)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for element in node.elts:
                self.target(element, bind)
        elif isinstance(node, ast.Starred):
            self.target(node.value, bind)
        elif isinstance(node, ast.Attribute):
            self.expression(node.value)
        elif isinstance(node, ast.Subscript):
            self.expression(node.value)
            self.expression(node.slice)

    # -- expressions
    def expressions(self, nodes: list, called: bool = False) -> None:
        for node in nodes:
            self.expression(node, called)

    def expression(self, node: ast.expr | None, called: bool = False) -> None:
        if node is None:
            return
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                self.read(node.id, called)
            else:
                self.local.add(node.id)
        elif isinstance(node, ast.NamedExpr):
            self.expression(node.value)
            self.local.add(node.target.id)
        elif isinstance(node, ast.Call):
            self.expression(node.func, called=True)
            self.expressions(node.args)
            self.expressions([keyword.value for keyword in node.keywords])
        elif isinstance(node, ast.Lambda):
            self.expressions(_defaults(node.args))  # the body runs only when called
        elif isinstance(node, _COMPREHENSIONS):
            self._comprehension(node)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expression(child)

    def _comprehension(self, node) -> None:
        """The first iterable runs in this scope; the rest in the comprehension's own scope,
        where names are its targets or globals (a class body's names are not visible)."""
        generators = node.generators
        self.expression(generators[0].iter)
        visible = () if self.is_class else (self.local, *self.enclosing)
        inner = _Scope(self.lazy_annotations, self.module_bound, self.use, enclosing=visible)
        for index, generator in enumerate(generators):
            if index:
                inner.expression(generator.iter)
            inner.target(generator.target)
            inner.expressions(generator.ifs)
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        inner.expressions(parts)
        # ``:=`` in a comprehension binds in the enclosing scope
        self.local.update(sub.target.id for sub in ast.walk(node) if isinstance(sub, ast.NamedExpr))

    def read(self, name: str, called: bool = False) -> None:
        if name in self.local or name in self.module_bound or any(name in names for names in self.enclosing):
            return
        self.use.reads.add(name)
        if called:
            self.use.calls.add(name)
