"""Assignment specifications: ``solutions/<id>/assignment.toml`` -> :class:`AssignmentSpec`.

An ``assignment.toml`` looks like this::

    id = "batchnorm"
    title = "Batch normalisation"
    module = "batchnorm"              # students implement batchnorm.py
    version = "1"
    forbidden_imports = ["torch", "jax", "tensorflow", "autograd"]
    student_packages = ["numpy", "scipy"]   # the only third-party imports (optional)
    tensors = false                   # true for a PyTorch assignment: tensors cross as values

    [limits]
    call_timeout_s = 10               # one call into student code
    load_timeout_s = 20               # importing the student module
    total_timeout_s = 600             # the whole submission
    memory_mb = 2048                  # address space of the worker
    output_kb = 1024                  # printed output kept for feedback

    [call_limits]                     # optional: functions allowed more (or less) than call_timeout_s
    batch_size_study = 60             # seconds for one call of batch_size_study

    [[tasks]]
    id = "bn_forward"
    title = "Forward pass, train and test mode"
    points = 2
    functions = ["batchnorm_forward"]

The same spec is read from ``assignments/<id>/`` (the released copy) and from
``solutions/<id>/``; only the latter has hidden tests and mutants.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pathlib
import re
import shutil
import tomllib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autograder.question_bank import QuestionBank

from autograder.errors import SpecError
from autograder.task import Task

__all__ = ["AssignmentSpec", "Limits", "SpecError", "Task", "assignment_version", "find_assignment", "format_size", "load_spec",
           "snapshot_spec", "source_hash"]

_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclasses.dataclass(frozen=True)
class Limits:
    """Resource limits applied to the worker that runs student code."""

    call_timeout_s: float = 10.0
    load_timeout_s: float = 20.0
    total_timeout_s: float = 600.0
    memory_mb: int = 2048
    output_kb: int = 1024
    max_processes: int = 64
    max_file_mb: int = 64


@dataclasses.dataclass(frozen=True)
class AssignmentSpec:
    """Everything the framework needs to know about one assignment."""

    id: str
    title: str
    module: str
    version: str
    tasks: tuple[Task, ...]
    limits: Limits
    forbidden_imports: tuple[str, ...]
    root: pathlib.Path
    extra_files: tuple[str, ...] = ()
    # The only third-party packages a submission may import (None: whatever the
    # grading environment has); see autograder.student_imports.
    student_packages: tuple[str, ...] | None = None
    # A PyTorch assignment: torch tensors cross the boundary as values (autograder.tensor_values).
    tensors: bool = False
    # A question assignment (``questions = "questions.toml"``): its bank, from which the
    # tasks are derived, and what feedback reveals ("none" or "explanations"); see
    # autograder.question_bank.
    question_bank: "QuestionBank | None" = None
    reveal: str = "none"
    # Per-function limits on one call, in seconds (``[call_limits]``); other functions get
    # ``limits.call_timeout_s``. A tuple of (function, seconds) pairs, so the spec stays hashable.
    call_limits: tuple[tuple[str, float], ...] = ()

    def call_timeout(self, function: str) -> float:
        """The time one call of ``function`` may take, in seconds."""
        return dict(self.call_limits).get(function, self.limits.call_timeout_s)

    @property
    def import_rule(self) -> "ImportRule":
        """What a submission may import (the same rule in every sandbox): ``student_packages``
        and what they depend on, never ``forbidden_imports``; its own modules are the
        ``.py`` files among ``extra_files``."""
        from autograder.student_imports import ImportRule, with_dependencies

        allowed = None if self.student_packages is None else with_dependencies(tuple(self.student_packages))
        own_modules = [name[:-3] for name in self.extra_files if name.endswith(".py")]
        return ImportRule.of(self.forbidden_imports, allowed, own_modules)

    @property
    def module_file(self) -> str:
        return f"{self.module}.py"

    @property
    def max_score(self) -> float:
        return float(sum(task.points for task in self.tasks))

    @property
    def functions(self) -> tuple[str, ...]:
        """Every student-facing function, in task order, without repeats."""
        seen: dict[str, None] = {}
        for task in self.tasks:
            for name in task.functions:
                seen.setdefault(name, None)
        return tuple(seen)

    def task(self, task_id: str) -> Task:
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(task_id)

    def task_of_function(self, function: str) -> Task | None:
        """The first task that names ``function``, or None."""
        for task in self.tasks:
            if function in task.functions:
                return task
        return None

    def public_test_files(self) -> dict[str, bytes]:
        """``tests/<file>`` -> content, for every file of the public tests (their frozen values aside):
        what a release ships of them."""
        files = {}
        public = self.tests_dir("public")
        for path in sorted(public.rglob("*")):
            relative = path.relative_to(public)
            if path.is_file() and "__pycache__" not in relative.parts and relative.parts[0] != "expected":
                files[f"tests/{relative.as_posix()}"] = path.read_bytes()
        return files

    def tests_dir(self, kind: str) -> pathlib.Path:
        """``tests/public`` or ``tests/hidden`` of a solution; ``tests`` of a release."""
        solution_dir = self.root / "tests" / kind
        if solution_dir.is_dir():
            return solution_dir
        if kind == "public" and (self.root / "tests").is_dir():
            return self.root / "tests"
        return solution_dir


def format_size(mebibytes: float) -> str:
    """``2048`` -> ``"2 GiB"``, ``1`` -> ``"1 MiB"``, ``0.5`` -> ``"512 KiB"``: limits as people write them."""
    if mebibytes >= 1024 and mebibytes % 256 == 0:
        return f"{mebibytes / 1024:g} GiB"
    if mebibytes >= 1:
        return f"{mebibytes:g} MiB"
    return f"{mebibytes * 1024:g} KiB"


def load_spec(root: str | pathlib.Path) -> AssignmentSpec:
    """Read ``root/assignment.toml`` and check it is consistent."""
    root = pathlib.Path(root).resolve()
    path = root / "assignment.toml"
    if not path.is_file():
        raise SpecError(f"{path}: no assignment.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: {exc}") from None

    def need(key: str, kind: type):
        if key not in data:
            raise SpecError(f"{path}: missing key '{key}'")
        if not isinstance(data[key], kind):
            raise SpecError(f"{path}: '{key}' must be a {kind.__name__}")
        return data[key]

    assignment_id = need("id", str)
    if not _ID_PATTERN.match(assignment_id):
        raise SpecError(f"{path}: id '{assignment_id}' must be lower-case letters, digits and _")
    question_bank, reveal = _question_bank(path, root, data)
    tasks = list(question_bank.tasks()) if question_bank is not None else []
    for index, raw in enumerate(need("tasks", list) if question_bank is None else []):
        try:
            task = Task(
                id=str(raw["id"]),
                title=str(raw.get("title", raw["id"])),
                points=float(raw["points"]),
                functions=tuple(raw.get("functions", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SpecError(f"{path}: task #{index + 1} is malformed ({exc})") from None
        if not _ID_PATTERN.match(task.id):
            raise SpecError(f"{path}: task id '{task.id}' must be lower-case letters, digits and _")
        if task.points < 0:
            raise SpecError(f"{path}: task '{task.id}' has negative points")
        tasks.append(task)
    ids = [task.id for task in tasks]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SpecError(f"{path}: duplicate task ids {duplicates}")
    if not tasks:
        raise SpecError(f"{path}: no tasks")

    limit_fields = {field.name for field in dataclasses.fields(Limits)}
    raw_limits = data.get("limits", {})
    unknown = set(raw_limits) - limit_fields
    if unknown:
        raise SpecError(f"{path}: unknown limits {sorted(unknown)}; known: {sorted(limit_fields)}")
    return AssignmentSpec(
        id=assignment_id,
        title=str(data.get("title", assignment_id)),
        module=str(data.get("module", assignment_id)),
        version=str(data.get("version", "1")),
        tasks=tuple(tasks),
        limits=Limits(**raw_limits),
        forbidden_imports=tuple(data.get("forbidden_imports", ())),
        root=root,
        extra_files=tuple(data.get("extra_files", ())),
        student_packages=_student_packages(path, data),
        tensors=bool(data.get("tensors", False)),
        question_bank=question_bank,
        reveal=reveal,
        call_limits=_call_limits(path, data, tasks),
    )


def _question_bank(path, root: pathlib.Path, data: dict) -> tuple["QuestionBank | None", str]:
    """``questions`` / ``reveal`` / ``topics`` of an assignment.toml: the bank (tasks come from it) or None."""
    from autograder.question_bank import KEY_FILE, REVEAL_CHOICES, load_bank

    if "questions" not in data:
        stray = sorted({"reveal", "topics"} & set(data))
        if stray:
            raise SpecError(f"{path}: {stray} only apply to a question assignment (questions = \"questions.toml\")")
        return None, "none"
    name = data["questions"]
    if not isinstance(name, str) or not name.endswith(".toml") or "/" in name or "\\" in name:
        raise SpecError(f"{path}: 'questions' names the bank file next to assignment.toml, e.g. \"questions.toml\"")
    if name == KEY_FILE:
        raise SpecError(f"{path}: {KEY_FILE} is the hidden answer key; the public bank needs another name (questions.toml)")
    if "tasks" in data:
        raise SpecError(f"{path}: a question assignment takes its tasks from {name} (one per question); remove [[tasks]]")
    reveal = data.get("reveal", "none")
    if reveal not in REVEAL_CHOICES:
        raise SpecError(f"{path}: reveal must be one of {', '.join(REVEAL_CHOICES)} (got {reveal!r})")
    topics = data.get("topics", [])
    if not isinstance(topics, list) or not all(type(t) is int for t in topics):
        raise SpecError(f"{path}: 'topics' must be a list of TOPICS.md row numbers the bank must cover")
    return load_bank(root / name, topics=tuple(topics)), reveal


def _call_limits(path, data: dict, tasks: list[Task]) -> tuple[tuple[str, float], ...]:
    """``[call_limits]`` of an assignment.toml: ``function = seconds`` for functions the tasks name."""
    raw = data.get("call_limits", {})
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: [call_limits] must be a table of function = seconds")
    known = {name for task in tasks for name in task.functions}
    limits = []
    for function, seconds in raw.items():
        if function not in known:
            raise SpecError(f"{path}: [call_limits] names '{function}', which no task lists in its functions")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
            raise SpecError(f"{path}: [call_limits] {function} must be a positive number of seconds, got {seconds!r}")
        limits.append((function, float(seconds)))
    return tuple(limits)


def _student_packages(path, data: dict) -> tuple[str, ...] | None:
    """``student_packages`` of an assignment.toml: a list of top-level package names, or absent."""
    if "student_packages" not in data:
        return None
    names = data["student_packages"]
    if not isinstance(names, list) or not all(isinstance(n, str) and n.isidentifier() for n in names):
        raise SpecError(f"{path}: student_packages must be a list of top-level package names, e.g. [\"numpy\", \"scipy\"]")
    clash = sorted(set(names) & set(data.get("forbidden_imports", ())))
    if clash:
        raise SpecError(f"{path}: {clash} are both forbidden and in student_packages")
    return tuple(names)


def find_assignment(assignment_id: str, base: str | pathlib.Path | None = None, *, prefer: str = "solutions") -> AssignmentSpec:
    """Locate ``<base>/solutions/<id>`` (or ``assignments/<id>``) and load its spec.

    ``base`` defaults to the current directory, then the repository this package
    lives in. ``prefer='assignments'`` looks at the released copy first.
    """
    order = ("solutions", "assignments") if prefer == "solutions" else ("assignments", "solutions")
    bases = [pathlib.Path(base)] if base else [pathlib.Path.cwd(), pathlib.Path(__file__).resolve().parent.parent]
    for candidate_base in bases:
        for kind in order:
            candidate = candidate_base / kind / assignment_id
            if (candidate / "assignment.toml").is_file():
                return load_spec(candidate)
    looked = ", ".join(str(b / k / assignment_id) for b in bases for k in order)
    raise SpecError(f"assignment '{assignment_id}' not found (looked in {looked})")


_BUILD_LITTER = ("__pycache__", ".pytest_cache")


def source_hash(assignment_root: pathlib.Path) -> str:
    """SHA-256 over an assignment's files (reference, tests, spec, mutants).

    What a grader image was built from, and what a grading run graded with. The
    framework is not hashed: it changes more often than the tests, and an older
    harness still grades correctly.
    """
    root = pathlib.Path(assignment_root)
    digest = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file() and not any(part in _BUILD_LITTER for part in p.parts)
                   and p.suffix != ".pyc")
    for path in files:
        digest.update(f"{path.relative_to(root).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def assignment_version(spec: AssignmentSpec) -> str:
    """``<version from assignment.toml>+<first 12 hex digits of source_hash>``: changes whenever a test does."""
    return f"{spec.version}+{source_hash(spec.root)[:12]}"


def snapshot_spec(spec: AssignmentSpec, into: pathlib.Path) -> AssignmentSpec:
    """Copy the assignment's folder into ``into`` and load the copy.

    A batch grades every submission against the snapshot, so editing the tests
    while it runs cannot give half the class other tests than the rest.
    """
    copy = pathlib.Path(into) / spec.root.name
    shutil.copytree(spec.root, copy, ignore=shutil.ignore_patterns(*_BUILD_LITTER, "*.pyc"), symlinks=False)
    return load_spec(copy)
