"""What a submission may import: one rule, enforced alike in every sandbox.

An assignment names the packages a submission must not import
(``forbidden_imports``: torch in a NumPy assignment) and, optionally, the only
third-party packages it may import (``student_packages``, e.g. numpy and scipy).
The Python standard library is always importable, and so are the submission's
own modules that the assignment accepts (``extra_files``, e.g. ``helpers.py``:
intake delivers only those files to the worker, so no other module of the
submission exists when graded). With ``student_packages`` set, grading under ``process``, ``bwrap``
and ``docker`` sees the same environment: the docker worker venv installs exactly
those packages, and the worker refuses any other third-party import as if it
were not installed, although the host's interpreter (process, bwrap) has
scikit-learn, torch and more. So a submission that imports sklearn fails alike
everywhere, with a message that says what can be imported.

Two uses:

- :func:`install_import_guard` in the worker (an audit hook: it sees every
  route to an import and cannot be removed by the student's code);
- :func:`refused_imports` in ``check``, which runs in-process where every
  package of the host is importable: a static scan of the submission's import
  statements, reported as a warning before the student submits.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import os
import pathlib
import sys

__all__ = ["ImportRule", "RefusedImport", "install_import_guard", "installed_third_party", "refused_imports", "with_dependencies"]

STANDARD_LIBRARY = frozenset(sys.stdlib_module_names)


@dataclasses.dataclass(frozen=True)
class ImportRule:
    """``forbidden``: top-level packages never importable; ``allowed``: the only
    third-party top-level packages importable (``None``: whatever is installed);
    ``own_modules``: the submission's own modules the assignment accepts (the
    ``.py`` files of its ``extra_files``, without the suffix), named in messages."""

    forbidden: frozenset[str] = frozenset()
    allowed: frozenset[str] | None = None
    own_modules: tuple[str, ...] = ()

    @classmethod
    def of(cls, forbidden, allowed, own_modules=()) -> "ImportRule":
        return cls(frozenset(forbidden or ()), None if allowed is None else frozenset(allowed), tuple(sorted(own_modules or ())))

    def describe_allowed(self) -> str:
        """``"the Python standard library, numpy and scipy"``; with ``own_modules``:
        ``"the Python standard library, numpy, scipy and the submission's own module helpers.py"``."""
        names = sorted(self.allowed or ())
        if self.own_modules:
            files = [f"{name}.py" for name in self.own_modules]
            names.append(f"the submission's own module{'s' if len(files) > 1 else ''} {_listing(files)}")
        if not names:
            return "only the Python standard library"
        return _listing(["the Python standard library", *names])

    def refusal(self, top: str, *, third_party: frozenset[str], is_own_module=lambda name: False) -> str | None:
        """Why ``top`` (a top-level module name) cannot be imported, or ``None`` when it can.

        ``third_party``: the top-level names installed in site-packages
        (:func:`installed_third_party`). Other names (the standard library, its private
        modules such as ``_sysconfigdata_*``, names installed nowhere) are left
        to the import system.
        """
        if top in self.forbidden:
            return f"import of '{top}' is forbidden in this assignment (use NumPy)"
        if self.allowed is None or top in self.allowed or is_own_module(top):
            return None
        if top not in third_party:
            return None
        return (f"No module named '{top}' when graded: submissions to this assignment can import "
                f"{self.describe_allowed()}")

    def explain_missing(self, name: str | None, message: str) -> str:
        """The message of a ``ModuleNotFoundError`` for ``name``, with the rule's explanation
        when ``name`` is a package the rule would refuse had it been installed."""
        top = (name or "").split(".")[0]
        if not top or top in STANDARD_LIBRARY:
            return message
        return self.refusal(top, third_party=frozenset({top})) or message


def _listing(items: list[str]) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def installed_third_party() -> frozenset[str]:
    """Top-level names importable from the ``site-packages``/``dist-packages`` dirs on ``sys.path``."""
    names = set()
    for entry in sys.path:
        if os.path.basename(entry.rstrip("/")) not in ("site-packages", "dist-packages") or not os.path.isdir(entry):
            continue
        for item in os.listdir(entry):
            if item.endswith((".dist-info", ".egg-info", ".pth", ".egg-link")) or item.startswith("__"):
                continue
            name = item.split(".")[0]  # foo/, foo.py, foo.cpython-311-x86_64-linux-gnu.so
            if name.isidentifier():
                names.add(name)
    return frozenset(names - STANDARD_LIBRARY)


@functools.lru_cache(maxsize=None)
def with_dependencies(packages: tuple[str, ...]) -> tuple[str, ...]:
    """``packages`` (top-level import names) plus the top-level names of every
    installed distribution they require, recursively (``pandas`` brings
    ``dateutil`` and ``pytz``): what the allowed packages import internally must
    stay importable. Extras are not followed. Sorted, for a stable config."""
    import importlib.metadata as metadata
    import re

    def distribution_of(import_name: str):
        try:
            return metadata.distribution(import_name)
        except metadata.PackageNotFoundError:
            names = metadata.packages_distributions().get(import_name, [])  # slow (a scan); rare
            return metadata.distribution(names[0]) if names else None

    def top_level_names(distribution) -> set[str]:
        listed = distribution.read_text("top_level.txt")
        if listed:
            return {line.strip() for line in listed.splitlines() if line.strip()}
        names = set()
        for file in distribution.files or ():
            first = file.parts[0]
            if first.endswith((".dist-info", ".egg-info", ".data")) or first.startswith("__") or first == "..":
                continue
            names.add(first.split(".")[0])
        return {name for name in names if name.isidentifier()}

    allowed = set(packages)
    pending = [d for d in (distribution_of(name) for name in packages) if d is not None]
    seen = set()
    while pending:
        distribution = pending.pop()
        key = distribution.metadata["Name"].lower()
        if key in seen:
            continue
        seen.add(key)
        allowed |= top_level_names(distribution)
        for requirement in distribution.requires or ():
            marker = requirement.partition(";")[2]
            if "extra" in marker:  # only for an optional feature
                continue
            name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
            if name:
                try:
                    pending.append(metadata.distribution(name.group(0)))
                except metadata.PackageNotFoundError:
                    pass
    return tuple(sorted(allowed))


def _own_module_test(source_dir: str):
    """A test: is ``name`` a module of the submission (``<source_dir>/name.py`` or a package dir)?"""

    def is_own_module(name: str) -> bool:
        base = os.path.join(source_dir, name)
        return os.path.isfile(base + ".py") or os.path.isdir(base)

    return is_own_module


def install_import_guard(rule: ImportRule, source_dir: str) -> None:
    """Make the imports ``rule`` refuses fail in this process, by any route, for good.

    An audit hook sees ``import x``, ``__import__`` and ``importlib`` alike (for
    modules not loaded yet) and cannot be removed once added. Modules already
    loaded when it is installed (numpy, the worker's own) stay usable. A refused
    import raises ``ModuleNotFoundError``, as an absent package would, so code
    with an ``except ImportError`` fallback behaves as it does in the container.
    """
    if not rule.forbidden and rule.allowed is None:
        return
    loaded = frozenset(name.split(".")[0] for name in list(sys.modules))
    is_own_module = _own_module_test(source_dir)
    third_party = installed_third_party()
    site_dirs = tuple(entry.rstrip("/") + "/" for entry in sys.path
                      if os.path.basename(entry.rstrip("/")) in ("site-packages", "dist-packages"))

    def refused(top: str) -> str | None:
        if top in loaded and top not in rule.forbidden:
            return None
        return rule.refusal(top, third_party=third_party, is_own_module=is_own_module)

    def package_being_imported(top: str) -> str:
        """The refused package whose code runs nearest the student's on the stack, else ``top``.

        ``importlib.import_module("torch")`` raises no audit event for ``torch``
        itself, only for what ``torch/__init__.py`` imports (``typing_extensions``):
        the student asked for torch, so torch is what the message names.
        """
        asked = top
        frame = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            for site in site_dirs:
                if filename.startswith(site):
                    package = filename[len(site):].split("/")[0].split(".")[0]
                    if package != asked and refused(package):
                        asked = package
                    break
            frame = frame.f_back
        return asked

    def hook(event, args):
        if event == "import":
            top = str(args[0]).split(".")[0]
            if refused(top):
                asked = package_being_imported(top)
                raise ModuleNotFoundError(refused(asked), name=asked)
        elif event == "ctypes.dlopen" and args and args[0] and rule.forbidden:
            name = os.path.basename(str(args[0])).lower()
            if any(name.startswith(f"lib{b}") or name.startswith(b) for b in rule.forbidden):
                raise ImportError(f"loading '{name}' is forbidden in this assignment")

    sys.addaudithook(hook)


@dataclasses.dataclass(frozen=True)
class RefusedImport:
    file: str      # relative to the submission's directory
    line: int
    module: str    # the top-level name
    message: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line} imports {self.module}: {self.message}"


def refused_imports(rule: ImportRule, source_dir: pathlib.Path) -> list[RefusedImport]:
    """The import statements in the submission's ``.py`` files that ``rule`` refuses (static, nothing is run).

    Relative imports (``from . import x``) are the submission's own and never refused.
    Files that do not parse are skipped (loading them reports the syntax error).
    """
    if not rule.forbidden and rule.allowed is None:
        return []
    is_own_module = _own_module_test(str(source_dir))
    third_party = installed_third_party()
    found = []
    for path in sorted(source_dir.rglob("*.py")):
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except (SyntaxError, ValueError, OSError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                message = rule.refusal(top, third_party=third_party, is_own_module=is_own_module)
                if message:
                    found.append(RefusedImport(str(path.relative_to(source_dir)), node.lineno, top, message))
    return sorted(found, key=lambda refused: (refused.file, refused.line))
