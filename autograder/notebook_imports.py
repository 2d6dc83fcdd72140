"""Imports in a notebook that grading does not offer: which they are, and what stands in for them.

A notebook imports things the graded module cannot: another grader
(``import otter``), progress bars and plots (``tqdm``, ``matplotlib``), a
package the assignment does not offer (``student_packages``), a forbidden one
(``torch`` in a NumPy assignment). Such an import is left out of the graded
module instead of failing it as a whole; in its place the module binds each
name it would have bound to a *placeholder* whose every use (a call, an
attribute, an operator, iteration, truth value, ...) raises
``ModuleNotFoundError`` with a message naming the package and the cell. So a
function that only a scratch cell used costs nothing, and a graded function
that uses such a name fails only its own calls, with that message.

What grading offers (:func:`unavailable_reason`): the Python standard library,
the assignment's ``student_packages`` and what they depend on, the submission's
own modules that the assignment accepts (``extra_files``), and, when an
assignment sets no ``student_packages``, any package installed where grading
runs; never its ``forbidden_imports``. Modules that only serve the notebook
itself (:data:`NOTEBOOK_ONLY`: plots, widgets, progress bars, notebook graders)
are always left out, as they were before: importing matplotlib in every worker
would cost seconds and plot nothing.

The placeholder class is plain Python (:data:`PLACEHOLDER_CLASS`), written into
the generated module: the module runs in the sandboxed worker and imports
nothing of the autograder.
"""

from __future__ import annotations

import ast

from autograder.student_imports import STANDARD_LIBRARY, ImportRule, installed_third_party

__all__ = ["NOTEBOOK_ONLY", "PLACEHOLDER_CLASS", "PLACEHOLDER_FACTORY", "placeholder_message", "unavailable_reason"]

# Imports that serve only the notebook (display, progress, in-notebook checks): never graded.
NOTEBOOK_ONLY = frozenset({
    "matplotlib", "pylab", "seaborn", "plotly", "bokeh", "IPython", "ipywidgets", "tqdm",
    "google",  # google.colab
    "autograder", "otter", "nbgrader",  # in-notebook checks of graders
})

NOTEBOOK_ONLY_REASON = "plots, progress bars and notebook checks are not part of the graded code"

PLACEHOLDER_FACTORY = "_NotAvailableWhenGraded"

PLACEHOLDER_CLASS = f'''
class {PLACEHOLDER_FACTORY}:
    """Stands for a name whose import was left out when graded: every use raises."""

    __slots__ = ("_message",)

    def __init__(self, message):
        object.__setattr__(self, "_message", message)

    def _refuse(self, *args, **kwargs):
        raise ModuleNotFoundError(object.__getattribute__(self, "_message"))

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(object.__getattribute__(self, "_message"))
        self._refuse()

    def __repr__(self):
        return "<not available when graded: " + object.__getattribute__(self, "_message") + ">"

    __hash__ = object.__hash__
    __call__ = __setattr__ = __delattr__ = __getitem__ = __setitem__ = __delitem__ = _refuse
    __iter__ = __next__ = __len__ = __bool__ = __contains__ = __reversed__ = _refuse
    __enter__ = __exit__ = __aenter__ = __aexit__ = __await__ = __aiter__ = __anext__ = _refuse
    __str__ = __format__ = __bytes__ = __int__ = __float__ = __complex__ = __index__ = __round__ = _refuse
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __neg__ = __pos__ = __abs__ = __invert__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __matmul__ = __rmatmul__ = _refuse
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _refuse
    __divmod__ = __rdivmod__ = __pow__ = __rpow__ = __lshift__ = __rlshift__ = __rshift__ = __rrshift__ = _refuse
    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = _refuse
    __iadd__ = __isub__ = __imul__ = __imatmul__ = __itruediv__ = __ifloordiv__ = __imod__ = __ipow__ = _refuse
    __ilshift__ = __irshift__ = __iand__ = __ior__ = __ixor__ = _refuse
    __array__ = __array_ufunc__ = __array_function__ = _refuse
'''


def unavailable_reason(node: ast.Import | ast.ImportFrom, module: str, rule: ImportRule | None, own_module: str | None,
                       installed: frozenset[str] | None = None) -> str | None:
    """Why ``module`` (imported by ``node``) is not available when graded, or ``None`` when it is.

    ``rule``: the assignment's import rule (``None``: no restriction); ``own_module``:
    the assignment's module name (a notebook importing it would make the graded module
    import itself); ``installed``: the third-party names installed where grading runs
    (default: :func:`autograder.student_imports.installed_third_party`), consulted
    only when the rule does not list the allowed packages.
    """
    if isinstance(node, ast.ImportFrom) and node.level:
        return "a relative import (a notebook is not a package)"
    top = module.split(".")[0]
    if top == "__future__" or top in STANDARD_LIBRARY:
        return None
    if own_module and top == own_module:
        return "only the notebook's own definitions are graded"
    if top in NOTEBOOK_ONLY:
        return NOTEBOOK_ONLY_REASON
    rule = rule or ImportRule()
    if top in rule.forbidden:
        return f"importing {top} is forbidden in this assignment"
    if top in rule.own_modules:
        return None
    if rule.allowed is not None:
        return None if top in rule.allowed else f"submissions to this assignment can import {rule.describe_allowed()}"
    installed = installed_third_party() if installed is None else installed
    return None if top in installed else "it is not installed where submissions are graded"


def placeholder_message(package: str, cell: int, reason: str) -> str:
    """``'tqdm' is not available when graded (its import in cell 2 was left out; <reason>)``."""
    return f"'{package}' is not available when graded (its import in cell {cell} was left out; {reason})"
