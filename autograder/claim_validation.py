"""How often a correct submission passes each graded claim, measured on the reference by ``validate``.

A claim's graded test (:meth:`autograder.claims.Claim.check`) draws ``k`` seeds and
passes on a strict majority. Regrading whole submissions dozens of times to
measure that would take minutes; instead each claim function is evaluated here,
in this process, on the reference module (a :class:`LocalSubmission`) once per
seed, for ``trials`` seeds (100 by default, at least 50).

The bound. With ``f`` failures in ``n`` trials:

- ``p_fail`` is the one-sided Clopper-Pearson upper bound, at 95% confidence, on the
  probability that the claim fails on one seed;
- the graded test fails a correct submission with probability
  ``P(Binomial(k, p_fail) > k // 2)`` at most (the tail grows with ``p``, so the bound
  holds at the same confidence).

A claim is validated when that is at most 0.001: with 95% confidence a correct
submission passes the claim's test in at least 99.9% of grading runs. No failure
in 100 trials gives ``p_fail = 0.0295``, and a claim graded on 5 seeds then fails a
correct submission with probability at most 2.5e-4 (on 3 seeds: 2.6e-3, not enough;
a claim checked on 3 seeds needs about 165 clean trials). The minimum of 50 trials
validates a claim graded on 7 seeds (3.5e-4), not one graded on 5 (1.8e-3).

Mutants. A mutant that names a claim in its header (``# claim: <name>``) has that
claim evaluated on ``mutant_trials`` seeds (8) and must fail it: the majority rule,
with the per-seed pass rate measured, must pass it with probability below 5% (no
more than one of 8 seeds may hold). Other mutants are left to the graded tests,
which ``validate`` runs on every mutant anyway.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import pathlib
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator

from scipy import stats

from autograder.claims import Claim, Verdict
from autograder.harness.local import CallTimedOut, LocalSubmission, load_module_from_file
from autograder.spec import AssignmentSpec

__all__ = ["CONFIDENCE", "MIN_TRIALS", "REQUIRED_PASS_RATE", "ClaimRate", "claim_checks", "clopper_pearson_upper",
           "find_claims", "majority_failure", "measure", "mutant_claims"]

REQUIRED_PASS_RATE = 0.999  # a correct submission passes a claim's graded test at least this often...
CONFIDENCE = 0.95           # ...with this confidence
MIN_TRIALS = 50
MUTANT_PASS_LIMIT = 0.05    # a mutant naming a claim passes its graded test with estimated probability below this


def clopper_pearson_upper(failures: int, trials: int, confidence: float = CONFIDENCE) -> float:
    """One-sided Clopper-Pearson upper bound on a probability seen ``failures`` times in ``trials``."""
    if trials <= 0 or failures >= trials:
        return 1.0
    return float(stats.beta.ppf(confidence, failures + 1, trials - failures))


def majority_failure(p_fail: float, seeds: int) -> float:
    """Probability that a claim failing with probability ``p_fail`` per seed fails on at least half of ``seeds`` (odd) seeds."""
    return float(stats.binom.sf(seeds // 2, seeds, p_fail))


@dataclasses.dataclass
class ClaimRate:
    """One claim evaluated on one implementation, once per seed."""

    claim: Claim
    trials: int
    failures: int  # seeds on which the claim did not hold, or raised
    seconds: float
    examples: list[str]  # what was measured on a few failing seeds (on the first seed when none failed)
    errors: int = 0  # seeds on which the implementation raised (a graded test fails outright on any)

    @property
    def pass_rate(self) -> float:
        return 1.0 - self.failures / self.trials if self.trials else 0.0

    @property
    def p_fail_bound(self) -> float:
        return clopper_pearson_upper(self.failures, self.trials)

    @property
    def graded_failure_bound(self) -> float:
        """Upper bound (at ``CONFIDENCE``) on the probability that the graded test fails this implementation."""
        return majority_failure(self.p_fail_bound, self.claim.seeds)

    @property
    def graded_pass_estimate(self) -> float:
        """Point estimate of the probability that the graded test passes this implementation."""
        return 1.0 - majority_failure(self.failures / self.trials, self.claim.seeds) if self.trials else 0.0

    @property
    def validated(self) -> bool:
        """Enough trials, no exception (grading fails a test outright on one), and the bound met."""
        return self.trials >= MIN_TRIALS and self.errors == 0 and self.graded_failure_bound <= 1.0 - REQUIRED_PASS_RATE


def measure(claim: Claim, submission, seeds: Iterable[int]) -> ClaimRate:
    """Evaluate ``claim`` on ``submission`` once per seed; an exception counts as a failure of that seed."""
    seeds = list(seeds)
    failures = errors = 0
    failing: list[str] = []
    first = ""
    start = time.perf_counter()
    for seed in seeds:
        try:
            verdict = claim.run(submission, seed)
        except (Exception, CallTimedOut) as exc:  # noqa: BLE001 (a failed seed, reported with what it raised)
            errors += 1
            verdict = Verdict(False, f"raised {type(exc).__name__}: {str(exc)[:200]}")
        first = first or verdict.measured
        if not verdict.holds:
            failures += 1
            if len(failing) < 3:
                failing.append(f"seed {seed}: {verdict.measured}")
    return ClaimRate(claim, len(seeds), failures, time.perf_counter() - start, failing or [first], errors)


def find_claims(tests_dir: pathlib.Path) -> list[Claim]:
    """Every :class:`Claim` at the top level of ``tests_dir/test_*.py``, in file order (the modules are imported here,
    with the test folder on the path as the plugin puts it, so ``from helpers import ...`` works)."""
    found: list[Claim] = []
    folder = str(pathlib.Path(tests_dir))
    other_helpers = sys.modules.pop("helpers", None)  # another test folder's helpers module, if one was imported
    sys.path.insert(0, folder)
    try:
        for path in sorted(pathlib.Path(tests_dir).glob("test_*.py")):
            module = _import_test_module(path)
            found += [value for value in vars(module).values() if isinstance(value, Claim)]
    finally:
        sys.path.remove(folder)
        sys.modules.pop("helpers", None)
        if other_helpers is not None:
            sys.modules["helpers"] = other_helpers
    names = [c.name for c in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"claims defined twice in {tests_dir}: {duplicates}")
    return found


def mutant_claims(source: str) -> list[str]:
    """The claims a mutant's header says it must fail: ``# claim: <name>[, <name>]`` among its first lines."""
    names: list[str] = []
    for line in source.split("\n")[:8]:
        if line.strip().startswith("# claim:"):
            names += [n.strip() for n in line.strip().removeprefix("# claim:").split(",") if n.strip()]
    return names


def _import_test_module(path: pathlib.Path):
    name = f"_ag_claims_{path.stem}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


def _submission(spec: AssignmentSpec, source: str, scratch: pathlib.Path, label: str) -> LocalSubmission:
    """``source`` loaded as the assignment's module, in this process, with the assignment's per-call limits."""
    path = scratch / label / spec.module_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    return LocalSubmission.of(load_module_from_file(path), spec)


def _seeds(base: int, count: int) -> list[int]:
    return [(base + i) % (2**31 - 1) for i in range(count)]


def claim_checks(spec: AssignmentSpec, reference_source: str, mutants: list, *, trials: int = 100, base_seed: int = 0,
                 mutant_trials: int = 8, report=print) -> Iterator[tuple[str, bool, str]]:
    """``(check name, ok, detail)`` for every claim of ``spec``'s hidden tests: on the reference, then on the mutants.

    ``mutants``: objects with ``name``, ``task`` and ``source`` (the mutant's own
    definitions, appended to ``reference_source``). Nothing is yielded for an
    assignment without claims.
    """
    claims = find_claims(spec.tests_dir("hidden"))
    if not claims:
        return
    task_ids = {task.id for task in spec.tasks}
    known = {c.name for c in claims}
    with tempfile.TemporaryDirectory(prefix="ag-claims-") as scratch:
        scratch = pathlib.Path(scratch)
        reference = _submission(spec, reference_source, scratch, "reference")
        report(f"  claims on the reference, {trials} seeds from {base_seed} (a claim passes when, with {100 * CONFIDENCE:g}% "
               f"confidence, a correct submission passes its graded test in at least {100 * REQUIRED_PASS_RATE:g}% of runs)")
        for claim in claims:
            if claim.task not in task_ids:
                yield f"claim {claim.name}", False, f"names unknown task {claim.task}"
                continue
            rate = measure(claim, reference, _seeds(base_seed, trials))
            detail = (f"held on {rate.trials - rate.failures}/{rate.trials} seeds ({100 * rate.pass_rate:.1f}%); per-seed failure "
                      f"<= {rate.p_fail_bound:.4f}; the graded test (majority of {claim.seeds}) fails a correct submission with "
                      f"probability <= {rate.graded_failure_bound:.1e}; {rate.seconds / max(rate.trials, 1):.3f} s per seed")
            if rate.errors:
                detail += f"; raised on {rate.errors} seeds (a graded test fails outright on an exception)"
            if rate.failures:
                detail += "; failed: " + "; ".join(rate.examples)
            if trials < MIN_TRIALS:
                detail += f" (at least {MIN_TRIALS} seeds are needed)"
            yield f"claim {claim.name} holds on the reference", rate.validated, detail
        for mutant in mutants:
            named = mutant_claims(mutant.source)
            unknown = [n for n in named if n not in known]
            if unknown:
                yield f"mutant {mutant.name} claims", False, f"names unknown claims {unknown}"
                continue
            relevant = [c for c in claims if c.name in named]
            if not relevant:
                continue
            source = reference_source + "\n\n# ---- mutant " + mutant.name + " ----\n" + mutant.source
            try:
                submission = _submission(spec, source, scratch, f"mutant-{mutant.name}")
            except Exception as exc:  # noqa: BLE001 (a mutant that does not load is reported, not fatal)
                yield f"mutant {mutant.name} claims", False, f"does not load: {type(exc).__name__}: {exc}"
                continue
            for claim in relevant:
                rate = measure(claim, submission, _seeds(base_seed + trials, mutant_trials))
                detail = (f"held on {rate.trials - rate.failures}/{rate.trials} seeds; the graded test (majority of "
                          f"{claim.seeds}) passes it with estimated probability {rate.graded_pass_estimate:.3f}")
                yield f"mutant {mutant.name} fails claim {claim.name}", rate.graded_pass_estimate < MUTANT_PASS_LIMIT, detail
