"""``autograder validate``: prove an assignment's tests are right, through the real grader.

For one assignment, in order:

1. ``public_tests``   the reference passes every public test (in-process, frozen values);
2. ``reference``      graded in the sandbox, the reference scores full marks, status ``ok``;
3. ``stub``           the released stub scores 0, status ``ok`` (no grader error);
4. ``signatures``     stub and reference define the same functions with the same signatures;
5. ``coverage``       every task has at least one public and one hidden test;
6. ``mutants``        every ``mutants/<name>.py`` loses points on the task it names.

Hidden inputs are drawn from a seed per grading run, so a test that catches a bug only
for some inputs lets a student with that bug score full marks on an unlucky run. With
``seeds=K`` the reference and every mutant are graded under K consecutive seeds: the
reference must score full marks under each and every mutant must be caught under each.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import pathlib
import re
import subprocess
import sys
import tempfile

from autograder.grading import GradeOptions, close_sandbox, grade_one, stop_sandbox
from autograder.harness.scoring import SubmissionResult
from autograder.release import make_stub
from autograder.sandbox import GradingCancelled
from autograder.spec import AssignmentSpec

__all__ = ["Check", "Mutant", "load_mutants", "validate"]

_TASK_LINE = re.compile(r"^#\s*task:\s*([a-z][a-z0-9_]*)\s*$")


@dataclasses.dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclasses.dataclass
class Mutant:
    name: str
    task: str
    description: str
    source: str


def load_mutants(spec: AssignmentSpec) -> list[Mutant]:
    mutants = []
    for path in sorted((spec.root / "mutants").glob("*.py")):
        lines = path.read_text(encoding="utf-8").split("\n")
        match = _TASK_LINE.match(lines[0]) if lines else None
        if not match:
            raise ValueError(f"{path}: the first line must be '# task: <task-id>'")
        description = " ".join(line.lstrip("# ").strip() for line in lines[1:4] if line.startswith("#")) or path.stem
        mutants.append(Mutant(path.stem, match.group(1), description, "\n".join(lines)))
    return mutants


def _signatures(source: str) -> dict[str, str]:
    """Top-level function -> its arguments; class -> the arguments of each of its methods (``__init__(...); forward(...)``)."""
    tree = ast.parse(source)
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    signatures = {node.name: ast.unparse(node.args) for node in tree.body if isinstance(node, functions)}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            signatures[node.name] = "; ".join(f"{item.name}({ast.unparse(item.args)})" for item in node.body if isinstance(item, functions))
    return signatures


def _public_outcomes(spec: AssignmentSpec, module_file: pathlib.Path) -> dict:
    from autograder.harness.run import harness_environment, pytest_args

    with tempfile.TemporaryDirectory() as scratch:
        outcomes = pathlib.Path(scratch) / "outcomes.json"
        args = pytest_args(spec.tests_dir("public"), submission=str(module_file), assignment=str(spec.root), outcomes=str(outcomes), mode="local", seed=0, hidden=False)
        subprocess.run([sys.executable, "-m", "pytest", *args], capture_output=True, cwd=scratch, env=harness_environment())
        if not outcomes.is_file():
            return {"tests": [], "collection_errors": ["public tests did not run"]}
        return json.loads(outcomes.read_text())


def _grade_source(spec: AssignmentSpec, source: str, name: str, sandbox, options: GradeOptions, slot: int = 0) -> SubmissionResult:
    with tempfile.TemporaryDirectory(prefix=f"ag-validate-{name}-") as scratch:
        path = pathlib.Path(scratch) / spec.module_file
        path.write_text(source, encoding="utf-8")
        return grade_one(spec, path, name, sandbox, options, slot)


def _lost(result: SubmissionResult) -> dict[str, float]:
    return {task.id: task.max_score - task.score for task in result.tasks if task.score < task.max_score - 1e-9}


def _mutant_check(mutant: Mutant, task_ids: set[str], runs: dict[int, SubmissionResult]) -> Check:
    """The mutant must lose points on its task under every seed it was graded with."""
    name = f"mutant {mutant.name} caught on {mutant.task}"
    if mutant.task not in task_ids:
        return Check(f"mutant {mutant.name}", False, f"names unknown task {mutant.task}")
    for seed, result in runs.items():
        if result.status != "ok":
            return Check(name, False, f"seed {seed}: status {result.status}: {result.message[:300]}")
    missed = [seed for seed, result in runs.items() if mutant.task not in _lost(result)]
    first = next(iter(runs.values()))
    detail = ", ".join(f"{task} -{points:g}" for task, points in _lost(first).items()) or "lost nothing"
    if missed and len(runs) > 1:
        detail = (f"caught under {len(runs) - len(missed)}/{len(runs)} seeds; lost nothing on {mutant.task} with seed "
                  f"{', '.join(map(str, missed))} (a student with this bug scores full marks on such a run)")
    return Check(name, not missed, detail)


def validate(spec: AssignmentSpec, *, sandbox_name: str = "process", jobs: int = 2, seed: int | None = None, seeds: int = 1,
             report=print) -> list[Check]:
    """Run every check; ``report`` is called with a line per check as it completes.

    ``seed`` is the first grading seed (random when None); ``seeds`` how many consecutive
    seeds the reference and the mutants are graded under.
    """
    import concurrent.futures

    from autograder.sandbox import make_sandbox

    if seeds < 1:
        raise ValueError("seeds must be at least 1")
    sandbox = make_sandbox(sandbox_name)
    options = GradeOptions(sandbox=sandbox_name, seed=seed, progress=False)
    options.resolved_seed()
    seed_list = [(options.seed + k) % 2**32 for k in range(seeds)]
    checks: list[Check] = []

    def add(check: Check) -> None:
        checks.append(check)
        report(f"  {'ok  ' if check.ok else 'FAIL'} {check.name}" + (f": {check.detail}" if check.detail else ""))

    report(f"validate {spec.id} (seed {options.seed})" if seeds == 1 else f"validate {spec.id} (seeds {', '.join(map(str, seed_list))})")
    reference_source = (spec.root / spec.module_file).read_text(encoding="utf-8")
    stub_source = make_stub(reference_source, spec, spec.module_file)

    public = _public_outcomes(spec, spec.root / spec.module_file)
    failed_public = [t["name"] for t in public["tests"] if t["outcome"] != "passed"]
    problems = list(public.get("collection_errors") or []) + [f"{name} fails" for name in failed_public]
    add(Check("public tests pass on the reference", not problems and bool(public["tests"]), "; ".join(problems)[:1500]))

    mutants = load_mutants(spec)
    sources = [("reference", reference_source)]
    sources += [(f"mutant {m.name}", reference_source + "\n\n# ---- mutant " + m.name + " ----\n" + m.source) for m in mutants]
    # (label, seed, source): the stub once, the reference and each mutant under every seed.
    jobs_list = [("stub", seed_list[0], stub_source)] + [(label, s, source) for s in seed_list for label, source in sources]
    results: dict[tuple[str, int], SubmissionResult] = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = {pool.submit(_grade_source, spec, source, label.replace(" ", "-"), sandbox,
                               dataclasses.replace(options, seed=s), index % max(1, jobs)): (label, s)
                   for index, (label, s, source) in enumerate(jobs_list)}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()
    except (KeyboardInterrupt, GradingCancelled):
        stop_sandbox(sandbox)
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
        close_sandbox(sandbox)

    reference_runs = {s: results[("reference", s)] for s in seed_list}
    short = [s for s, r in reference_runs.items() if r.status != "ok" or r.score != r.max_score]
    reference = reference_runs[short[0]] if short else reference_runs[seed_list[0]]
    add(Check("reference scores full marks" + (f" under {seeds} seeds" if seeds > 1 else ""), not short,
              (f"seed {short[0]}: " if seeds > 1 else "") + f"{reference.status}, {reference.score:g}/{reference.max_score:g}; " + "; ".join(
                  f"{t.id}: {m.name}: {m.message[:300]}" for t in reference.tasks for m in t.tests if m.outcome != "passed")[:1500]
              if reference.score != reference.max_score or reference.status != "ok" else f"{reference.score:g}/{reference.max_score:g}"))
    stub = results[("stub", seed_list[0])]
    add(Check("stub scores 0 with status ok", stub.status == "ok" and stub.score == 0, f"{stub.status}, {stub.score:g}/{stub.max_score:g} {stub.message[:300]}"))

    reference_signatures = _signatures(reference_source)
    stub_signatures = _signatures(stub_source)
    mismatched = [name for name in spec.functions if reference_signatures.get(name) != stub_signatures.get(name) or name not in reference_signatures]
    add(Check("stub and reference signatures match", not mismatched and reference_signatures == stub_signatures, ", ".join(mismatched)))

    hidden_counts = {task.id: task.total for task in reference.tasks}
    public_counts = {task.id: 0 for task in spec.tasks}
    for test in public["tests"]:
        if test.get("task") in public_counts:
            public_counts[test["task"]] += 1
    uncovered = [f"{t} (public {public_counts[t]}, hidden {hidden_counts.get(t, 0)})" for t in public_counts if not public_counts[t] or not hidden_counts.get(t)]
    add(Check("every task has public and hidden tests", not uncovered, ", ".join(uncovered)))

    task_ids = {task.id for task in spec.tasks}
    for mutant in mutants:
        add(_mutant_check(mutant, task_ids, {s: results[(f"mutant {mutant.name}", s)] for s in seed_list}))
    if not mutants:
        add(Check("has mutants", False, f"no files in {spec.root / 'mutants'}"))
    return checks
