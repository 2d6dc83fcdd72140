"""``autograder validate``: prove an assignment's tests are right, through the real grader.

For one assignment, in order:

1. ``public_tests``   the reference passes every public test (in-process, frozen values);
2. ``reference``      graded in the sandbox, the reference scores full marks, status ``ok``;
3. ``stub``           the released stub scores 0, status ``ok`` (no grader error);
4. ``signatures``     stub and reference define the same functions with the same signatures;
5. ``coverage``       every task has at least one public and one hidden test;
6. ``mutants``        every ``mutants/<name>.py`` loses points on the task it names;
7. ``hints``          every hint of ``tests/hidden/hints.toml`` fires on the mutants that declare
                      it (``# hint: <id>`` lines) and on nothing else: not on the reference, the
                      stub or any other mutant (a hint that names a mistake the student did not
                      make is a wrong message);
8. ``time budget``    the reference's hidden suite takes at most half of ``total_timeout_s``;
9. ``claims``         where the hidden tests grade claims (:mod:`autograder.claims`), each one
                      holds on the reference often enough over ``claim_trials`` seeds, and the
                      mutants that name a claim fail it (:mod:`autograder.claim_validation`).

A question assignment has no reference module: its reference is the key written as
a submission, its stub the released one (nothing answered); a mutant sets answers
(``ANSWERS["id"] = "a"``) after the reference's.

Hidden inputs are drawn from a seed per grading run, so a test that catches a bug only
for some inputs lets a student with that bug score full marks on an unlucky run. With
``seeds=K`` the reference and every mutant are graded under K consecutive seeds: the
reference must score full marks under each and every mutant must be caught under each.
"""

from __future__ import annotations

import ast
import dataclasses
import pathlib
import re
import tempfile
import time

from autograder.grading import GradeOptions, LocalExecutor, Submission, grade_submission
from autograder.outcomes import SubmissionResult
from autograder.release import make_stub
from autograder.spec import AssignmentSpec
from autograder.testing.hints import load_hints

__all__ = ["Check", "Mutant", "load_mutants", "validate"]

_TASK_LINE = re.compile(r"^#\s*task:\s*([a-z][a-z0-9_]*)\s*$")
_HINT_LINE = re.compile(r"^#\s*hint:\s*([a-z][a-z0-9_]*)\s*$")


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
    hints: tuple[str, ...] = ()  # ids of the hints this mistake must trigger ("# hint: <id>" lines)


def load_mutants(spec: AssignmentSpec) -> list[Mutant]:
    mutants = []
    for path in sorted((spec.root / "mutants").glob("*.py")):
        lines = path.read_text(encoding="utf-8").split("\n")
        match = _TASK_LINE.match(lines[0]) if lines else None
        if not match:
            raise ValueError(f"{path}: the first line must be '# task: <task-id>'")
        comments = [line for line in lines[1:] if line.startswith("#")]
        hints = tuple(m.group(1) for m in (_HINT_LINE.match(line) for line in comments) if m)
        description = " ".join(line.lstrip("# ").strip() for line in comments[:3] if not _HINT_LINE.match(line)) or path.stem
        mutants.append(Mutant(path.stem, match.group(1), description, "\n".join(lines), hints))
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


def _public_outcomes(spec: AssignmentSpec, module_file: pathlib.Path):
    """The public tests run in-process on ``module_file`` (the reference)."""
    from autograder.harness.local import LocalSubmission, load_module_from_file
    from autograder.harness.runner import TestSuite

    suite = TestSuite(spec.tests_dir("public"), assignment=spec.root)
    try:
        return suite.run(lambda: LocalSubmission.of(load_module_from_file(module_file), spec), seed=0, hidden=False)
    finally:
        suite.close()


def _grade_source(spec: AssignmentSpec, source: str, name: str, sandbox, options: GradeOptions, slot: int) -> SubmissionResult:
    with tempfile.TemporaryDirectory(prefix=f"ag-validate-{name}-") as scratch:
        path = pathlib.Path(scratch) / spec.module_file
        path.write_text(source, encoding="utf-8")
        return grade_submission(spec, Submission(path, name, ""), sandbox, options, slot, warm=True)


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


def _fired_hints(result: SubmissionResult) -> set[str]:
    return {hint for task in result.tasks for test in task.tests for hint in test.hints}


def hint_checks(declared: dict[str, str], mutants: list[Mutant], results: dict[tuple[str, int], SubmissionResult],
                seed_list: list[int]) -> list[Check]:
    """One check per declared hint (precision), plus one for hints that fired without being declared.

    ``results``: ``(label, seed) -> result`` for "reference", "stub" and "mutant <name>".
    """
    checks = []
    fired: dict[str, dict[str, list[int]]] = {}  # hint -> label -> seeds it fired under
    for (label, seed), result in results.items():
        for hint in _fired_hints(result):
            fired.setdefault(hint, {}).setdefault(label, []).append(seed)
    for hint in sorted(declared):
        owners = [m for m in mutants if hint in m.hints]
        where = fired.get(hint, {})
        if not owners:
            checks.append(Check(f"hint {hint}", False, "no mutant declares it (add '# hint: " + hint + "' to a mutant that makes this mistake)"))
            continue
        silent = [f"{m.name} (seeds {', '.join(str(s) for s in seed_list if s not in where.get(f'mutant {m.name}', []))})"
                  for m in owners if set(seed_list) - set(where.get(f"mutant {m.name}", []))]
        misfired = sorted(label for label in where if label not in {f"mutant {m.name}" for m in owners})
        problems = ([f"silent on {', '.join(silent)}"] if silent else []) + ([f"fired on {', '.join(misfired)}, which does not make this mistake"] if misfired else [])
        others = len(mutants) - len(owners)
        detail = "; ".join(problems) if problems else (f"fires on {', '.join(m.name for m in owners)}; silent on the reference, "
                                                        f"the stub and {others} other mutant(s)")
        checks.append(Check(f"hint {hint}", not problems, detail))
    undeclared = sorted(hint for hint in fired if hint not in declared)
    if undeclared:
        checks.append(Check("every hint that fired is declared in hints.toml", False,
                            "; ".join(f"{hint[:80]!r} fired on {', '.join(sorted(fired[hint]))}" for hint in undeclared)[:1500]))
    unknown = sorted({(m.name, h) for m in mutants for h in m.hints if h not in declared})
    if unknown:
        checks.append(Check("mutants declare only known hints", False, ", ".join(f"{name}: {hint}" for name, hint in unknown)))
    return checks


def _reference_and_stub(spec: AssignmentSpec) -> tuple[str, str]:
    """The reference module and the released stub; a question assignment's are written from its key and bank."""
    if spec.question_bank is not None:
        from autograder.question_release import reference_source, stub_source

        return reference_source(spec), stub_source(spec)
    reference_source = (spec.root / spec.module_file).read_text(encoding="utf-8")
    return reference_source, make_stub(reference_source, spec, spec.module_file)


def validate(spec: AssignmentSpec, *, sandbox_name: str = "process", jobs: int = 2, seed: int | None = None, seeds: int = 1,
             claim_trials: int = 100, report=print) -> list[Check]:
    """Run every check; ``report`` is called with a line per check as it completes.

    ``seed`` is the first grading seed (random when None); ``seeds`` how many consecutive
    seeds the reference and the mutants are graded under; ``claim_trials`` how many seeds
    each graded claim is evaluated on, on the reference (from ``seed`` on).
    """
    from autograder.sandbox import make_sandbox, resolve_sandbox

    if seeds < 1:
        raise ValueError("seeds must be at least 1")
    sandbox_name = resolve_sandbox(sandbox_name)
    sandbox = make_sandbox(sandbox_name)
    options = GradeOptions(sandbox=sandbox_name, seed=seed, progress=False, jobs=max(1, jobs))
    options.resolved_seed()
    seed_list = [(options.seed + k) % 2**32 for k in range(seeds)]
    checks: list[Check] = []

    def add(check: Check) -> None:
        checks.append(check)
        report(f"  {'ok  ' if check.ok else 'FAIL'} {check.name}" + (f": {check.detail}" if check.detail else ""))

    report(f"validate {spec.id} (seed {options.seed})" if seeds == 1 else f"validate {spec.id} (seeds {', '.join(map(str, seed_list))})")
    reference_source, stub_source = _reference_and_stub(spec)

    if spec.question_bank is None:
        public = _public_outcomes(spec, spec.root / spec.module_file)
    else:
        with tempfile.TemporaryDirectory(prefix="ag-validate-reference-") as scratch:
            reference_file = pathlib.Path(scratch) / spec.module_file
            reference_file.write_text(reference_source, encoding="utf-8")
            public = _public_outcomes(spec, reference_file)
    failed_public = [test.name for test in public.tests if test.outcome != "passed"]
    problems = list(public.collection_errors) + [f"{name} fails" for name in failed_public]
    add(Check("public tests pass on the reference", not problems and bool(public.tests), "; ".join(problems)[:1500]))

    mutants = load_mutants(spec)
    sources = [("reference", reference_source)]
    sources += [(f"mutant {m.name}", reference_source + "\n\n# ---- mutant " + m.name + " ----\n" + m.source) for m in mutants]
    # (label, seed, source): the stub once, the reference and each mutant under every seed, seed by seed.
    jobs_list = [("stub", seed_list[0], stub_source)] + [(label, s, source) for s in seed_list for label, source in sources]
    results: dict[tuple[str, int], SubmissionResult] = {}
    started = time.monotonic()

    def grade(job: tuple, slot: int) -> SubmissionResult:
        label, job_seed, source = job
        return _grade_source(spec, source, label.replace(" ", "-"), sandbox, dataclasses.replace(options, seed=job_seed), slot)

    def record(job: tuple, result: SubmissionResult) -> None:
        results[(job[0], job[1])] = result

    try:
        LocalExecutor(options.jobs, sandbox).run(jobs_list, grade, record)
    finally:
        sandbox.close()
    seconds = time.monotonic() - started

    reference_runs = {s: results[("reference", s)] for s in seed_list}
    short = [s for s, r in reference_runs.items() if r.status != "ok" or r.score != r.max_score]
    reference = reference_runs[short[0]] if short else reference_runs[seed_list[0]]
    report(f"  graded {len(jobs_list)} submissions in {seconds:.1f} s ({sandbox_name}, {options.jobs} job slot(s)); "
           f"the reference's hidden suite: {reference.execution_time:.2f} s")
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
    for test in public.tests:
        if test.task in public_counts:
            public_counts[test.task] += 1
    uncovered = [f"{t} (public {public_counts[t]}, hidden {hidden_counts.get(t, 0)})" for t in public_counts if not public_counts[t] or not hidden_counts.get(t)]
    add(Check("every task has public and hidden tests", not uncovered, ", ".join(uncovered)))

    task_ids = {task.id for task in spec.tasks}
    for mutant in mutants:
        add(_mutant_check(mutant, task_ids, {s: results[(f"mutant {mutant.name}", s)] for s in seed_list}))
    if not mutants:
        add(Check("has mutants", False, f"no files in {spec.root / 'mutants'}"))
    for check in hint_checks(load_hints(spec.tests_dir("hidden")), mutants, results, seed_list):
        add(check)

    slowest = max(reference_runs.values(), key=lambda r: r.execution_time)
    budget = spec.limits.total_timeout_s
    add(Check("reference's hidden suite within half its time budget", slowest.execution_time <= budget / 2,
              f"{slowest.execution_time:.1f} s (total_timeout_s = {budget:g} s)"))
    from autograder.claim_validation import claim_checks

    for name, ok, detail in claim_checks(spec, reference_source, mutants, trials=claim_trials, base_seed=options.seed, report=report):
        add(Check(name, ok, detail))
    return checks
