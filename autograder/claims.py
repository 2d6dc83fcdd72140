"""Graded claims: what an experiment must show, checked over several seeds per grading run.

An experiment's *mechanics* (update counts, closed forms) are tested like any
function. Its *claim* ("test accuracy falls as the batch size grows", "L1 zeroes
the uninformative weights") is a statement about a random outcome: it holds on
most seeds, not on all. A claim is written once, at the top level of a hidden
test module, as a function of ``(submission, seed)`` that runs the experiment on
that seed and returns a :class:`Verdict`; a test grades it::

    @claim(task="l1_vs_l2", seeds=5)
    def l1_zeroes_uninformative_weights(submission, seed):
        \"\"\"L1 sets most uninformative weights exactly to 0, L2 none.\"\"\"
        ...
        return Verdict(holds, f"{zeros}/7 uninformative L1 weights are exactly 0")

    @pytest.mark.task("l1_vs_l2")
    def test_l1_sparsity(submission, rng):
        l1_zeroes_uninformative_weights.check(submission, rng)

:meth:`Claim.check` draws ``seeds`` seeds (an odd number) from the test's ``rng``,
so each grading run sees other seeds, and passes when the claim holds on a strict
majority of them. How often a correct submission passes is measured by
``autograder validate`` (:mod:`autograder.claim_validation`), which finds the
claims of an assignment by importing its hidden test modules.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

__all__ = ["Claim", "Verdict", "claim"]


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The outcome of a claim on one seed: whether it held, and what was measured (shown as feedback)."""

    holds: bool
    measured: str


@dataclasses.dataclass(frozen=True)
class Claim:
    """A statement an experiment must reproduce; ``function(submission, seed) -> Verdict``."""

    name: str
    statement: str
    task: str
    seeds: int
    function: Callable

    def run(self, submission, seed: int) -> Verdict:
        """The claim on one seed. Raises what the submission raises."""
        verdict = self.function(submission, int(seed))
        if not isinstance(verdict, Verdict):
            raise TypeError(f"claim {self.name} returned {type(verdict).__name__}, not a Verdict")
        return verdict

    def draw_seeds(self, rng) -> list[int]:
        """The seeds of one grading run, from the test's ``rng`` fixture."""
        return [int(s) for s in rng.integers(0, 2**31 - 1, size=self.seeds)]

    def check(self, submission, rng) -> None:
        """Assert the claim holds on a strict majority of ``seeds`` seeds drawn from ``rng``."""
        verdicts = [self.run(submission, seed) for seed in self.draw_seeds(rng)]
        held = sum(v.holds for v in verdicts)
        if held * 2 > len(verdicts):
            return
        lines = "\n".join(f"  seed {i + 1}: {'holds' if v.holds else 'does not hold'}: {v.measured}" for i, v in enumerate(verdicts))
        raise AssertionError(f"claim not reproduced: {self.statement}\n"
                             f"It held on {held} of {len(verdicts)} seeds (a majority is needed):\n{lines}")


def claim(*, task: str, seeds: int = 5) -> Callable[[Callable], Claim]:
    """Decorator: turn ``function(submission, seed) -> Verdict`` into a :class:`Claim` of ``task``,
    graded on ``seeds`` seeds (odd, so a majority is never a tie). Its docstring's first line
    states the claim."""
    if seeds < 1 or seeds % 2 == 0:
        raise ValueError(f"seeds must be odd and positive, got {seeds}")

    def wrap(function: Callable) -> Claim:
        statement = (function.__doc__ or function.__name__).strip().splitlines()[0]
        return Claim(function.__name__, statement, task, seeds, function)

    return wrap
