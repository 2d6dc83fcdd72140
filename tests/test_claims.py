"""Graded claims: the majority rule, the statistics behind validate's bound, and claim_checks end to end."""

import math
import textwrap

import numpy as np
import pytest
from scipy import stats

from autograder.claim_validation import (MIN_TRIALS, claim_checks, clopper_pearson_upper, find_claims, majority_failure, measure,
                                         mutant_claims)
from autograder.claims import Claim, Verdict, claim
from autograder.spec import load_spec
from autograder.validate import Mutant


class Coin:
    """A stand-in submission whose ``flip(seed)`` holds on a fixed set of seeds."""

    def __init__(self, holds_on):
        self.holds_on = holds_on
        self.seen = []

    def flip(self, seed):
        self.seen.append(seed)
        return self.holds_on(seed)


@claim(task="t", seeds=5)
def coin_claim(submission, seed):
    """The coin comes up heads."""
    heads = submission.flip(seed)
    return Verdict(heads, "heads" if heads else "tails")


def test_claim_decorator_keeps_the_statement_and_needs_an_odd_seed_count():
    assert isinstance(coin_claim, Claim)
    assert (coin_claim.name, coin_claim.task, coin_claim.seeds, coin_claim.statement) == ("coin_claim", "t", 5, "The coin comes up heads.")
    with pytest.raises(ValueError, match="odd"):
        claim(task="t", seeds=4)


def test_check_passes_on_a_strict_majority_of_the_seeds_drawn():
    rng = np.random.default_rng(0)
    seeds = coin_claim.draw_seeds(np.random.default_rng(0))
    three = set(seeds[:3])
    coin = Coin(lambda s: s in three)
    coin_claim.check(coin, rng)  # 3 of 5: passes
    assert coin.seen == seeds
    two = set(seeds[:2])
    with pytest.raises(AssertionError) as failure:
        coin_claim.check(Coin(lambda s: s in two), np.random.default_rng(0))
    message = str(failure.value)
    assert "claim not reproduced: The coin comes up heads." in message
    assert "held on 2 of 5 seeds" in message and message.count("does not hold: tails") == 3


def test_seeds_come_from_the_tests_rng():
    a = coin_claim.draw_seeds(np.random.default_rng(1))
    assert a == coin_claim.draw_seeds(np.random.default_rng(1))
    assert a != coin_claim.draw_seeds(np.random.default_rng(2))
    assert len(set(a)) == 5


def test_a_claim_must_return_a_verdict():
    broken = claim(task="t")(lambda submission, seed: True)
    with pytest.raises(TypeError, match="not a Verdict"):
        broken.run(None, 0)


def test_clopper_pearson_upper_bound():
    # No failure in n trials: the bound solves (1 - p)^n = 1 - confidence.
    assert clopper_pearson_upper(0, 100) == pytest.approx(1 - 0.05 ** (1 / 100))
    assert clopper_pearson_upper(0, 100) == pytest.approx(0.0295, abs=1e-4)
    # k failures: P(Binomial(n, p_upper) <= k) = 1 - confidence.
    p = clopper_pearson_upper(3, 80)
    assert stats.binom.cdf(3, 80, p) == pytest.approx(0.05)
    assert clopper_pearson_upper(5, 5) == 1.0 and clopper_pearson_upper(0, 0) == 1.0


def test_majority_failure_is_the_binomial_tail():
    p = 0.03
    by_hand = sum(math.comb(5, j) * p**j * (1 - p) ** (5 - j) for j in range(3, 6))
    assert majority_failure(p, 5) == pytest.approx(by_hand)
    assert majority_failure(p, 1) == pytest.approx(p)
    # The sizing rule in claim_validation's docstring.
    assert majority_failure(clopper_pearson_upper(0, 100), 5) <= 1e-3 < majority_failure(clopper_pearson_upper(0, 100), 3)


def test_measure_counts_failures_and_exceptions():
    def flaky(seed):
        if seed == 3:
            raise RuntimeError("boom")
        return seed % 2 == 0

    rate = measure(coin_claim, Coin(flaky), range(10))
    assert (rate.trials, rate.failures, rate.errors) == (10, 5, 1)  # 1, 3 (raised), 5, 7, 9
    assert any("raised RuntimeError: boom" in example for example in rate.examples)
    assert not rate.validated
    # An exception never validates, however rare: the graded test fails outright on one.
    rare = measure(coin_claim, Coin(lambda seed: 1 / (seed - 150) is not None), range(200))
    assert (rare.failures, rare.errors) == (1, 1) and rare.graded_failure_bound < 1e-3 and not rare.validated


def test_mutant_claims_reads_the_header():
    assert mutant_claims("# task: t\n# claim: a, b\n# Broken.\ndef f(): pass\n") == ["a", "b"]
    assert mutant_claims("# task: t\n# Broken.\n") == []


# --------------------------------------------------------------------------- claim_checks on a small assignment

REFERENCE = '''
import numpy as np


def noisy_mean(seed):
    """Mean of 400 N(1, 1) samples."""
    # BEGIN SOLUTION
    return float(np.random.default_rng(seed).normal(1.0, 1.0, 400).mean())
    # END SOLUTION


def coin(seed):
    """Heads with probability 0.8."""
    # BEGIN SOLUTION
    return bool(np.random.default_rng(seed).random() < 0.8)
    # END SOLUTION
'''

HIDDEN = '''
import pytest

from autograder.claims import Verdict, claim


@claim(task="means", seeds=5)
def mean_is_near_one(submission, seed):
    """The mean of 400 samples is within 0.5 of 1."""
    value = submission.noisy_mean(seed)
    return Verdict(abs(value - 1) < 0.5, f"mean {value:.3f}")


@claim(task="means", seeds=3)
def coin_is_heads(submission, seed):
    """Heads."""
    return Verdict(submission.coin(seed), "")


@pytest.mark.task("means")
def test_mean(submission, rng):
    mean_is_near_one.check(submission, rng)
'''


# The hidden module marks its test with the grader's `task` marker, unknown to this session.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning")


@pytest.fixture
def small_spec(tmp_path):
    root = tmp_path / "solutions" / "small"
    (root / "tests" / "hidden").mkdir(parents=True)
    (root / "assignment.toml").write_text(textwrap.dedent('''
        id = "small"
        module = "small"
        [limits]
        call_timeout_s = 5
        [[tasks]]
        id = "means"
        points = 1
        functions = ["noisy_mean", "coin"]
    '''))
    (root / "small.py").write_text(REFERENCE)
    (root / "tests" / "hidden" / "test_small.py").write_text(HIDDEN)
    return load_spec(root)


def test_find_claims_imports_the_hidden_modules(small_spec):
    assert [c.name for c in find_claims(small_spec.tests_dir("hidden"))] == ["mean_is_near_one", "coin_is_heads"]


def test_find_claims_imports_modules_that_use_the_test_folders_helpers(tmp_path):
    # docs/authoring.md: an assignment's helpers live in tests/hidden/helpers.py, imported with `from helpers import ...`.
    (tmp_path / "helpers.py").write_text("TOLERANCE = 0.1\n")
    (tmp_path / "test_uses_helpers.py").write_text(textwrap.dedent('''
        from helpers import TOLERANCE
        from autograder.claims import Verdict, claim

        @claim(task="t", seeds=3)
        def within_tolerance(submission, seed):
            """Close enough."""
            return Verdict(TOLERANCE < 1, "ok")
    '''))
    assert [c.name for c in find_claims(tmp_path)] == ["within_tolerance"]
    import sys
    assert "helpers" not in sys.modules and str(tmp_path) not in sys.path


def test_claim_checks_validate_the_reliable_claim_and_reject_the_coin(small_spec):
    mutants = [Mutant("shifted", "means", "mean off by 1", "# task: means\n# claim: mean_is_near_one\n"
                      "def noisy_mean(seed):\n    return 2.0 + float(np.random.default_rng(seed).normal(0, 0.01))\n"),
               Mutant("harmless", "means", "same", "# task: means\n# claim: mean_is_near_one\n"
                      "def noisy_mean(seed):\n    return 1.0\n")]
    lines = []
    results = {name: (ok, detail) for name, ok, detail in
               claim_checks(small_spec, REFERENCE, mutants, trials=100, base_seed=7, report=lines.append)}
    ok, detail = results["claim mean_is_near_one holds on the reference"]
    assert ok and "held on 100/100 seeds" in detail
    # 80% per seed, majority of 3: fails a correct submission about 10% of the time.
    ok, detail = results["claim coin_is_heads holds on the reference"]
    assert not ok and "majority of 3" in detail
    assert results["mutant shifted fails claim mean_is_near_one"][0]
    assert not results["mutant harmless fails claim mean_is_near_one"][0]
    assert "95% confidence" in lines[0]


def test_too_few_trials_never_validate(small_spec):
    results = {name: ok for name, ok, _ in claim_checks(small_spec, REFERENCE, [], trials=MIN_TRIALS - 1, report=lambda line: None)}
    assert results["claim mean_is_near_one holds on the reference"] is False
    # 50 clean trials bound a claim graded on 5 seeds at 1.8e-3 only (too weak), one graded on 7 seeds at 3.5e-4.
    assert majority_failure(clopper_pearson_upper(0, 50), 5) > 1e-3 > majority_failure(clopper_pearson_upper(0, 50), 7)


def test_an_assignment_without_claims_yields_nothing(toy_spec, toy_reference):
    assert list(claim_checks(toy_spec, toy_reference, [], report=lambda line: None)) == []
