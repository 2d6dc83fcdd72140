"""Hidden tests: class imbalance and its remedies (imbalance_study).

Mechanics: the structure; with balanced classes (fraction 0.5) both remedies change
next to nothing: recall and accuracy within 0.03 of the plain model's (balanced
weights are 1 and there is nothing to oversample; with labels drawn at random
rather than counted, over 200 seeds the largest change was 0.02; class weights
taken from the nominal fraction, 1 and 2 here, change recall by 0.04 to 0.08), and
the same seed gives the same result. Claim: at a 5% minority both class weights and oversampling
raise the minority's recall by at least 0.1 (graded on the majority of 5 seeds).
"""

import numpy as np
import pytest

from autograder.claims import Verdict, claim

pytestmark = pytest.mark.task("imbalance")

SETTINGS = ("none", "weighted", "oversampled")


def _metrics(result, what):
    """{setting: (accuracy, minority_recall)} from the returned dict, or a clear failure."""
    if not isinstance(result, dict) or set(result) != set(SETTINGS):
        keys = sorted(map(str, result)) if isinstance(result, dict) else type(result).__name__
        raise AssertionError(f"{what}: expected a dict with keys {list(SETTINGS)}, got {keys}")
    out = {}
    for setting in SETTINGS:
        entry = result[setting]
        if not isinstance(entry, dict) or not {"accuracy", "minority_recall"} <= set(entry):
            raise AssertionError(f"{what}[{setting!r}]: expected a dict with 'accuracy' and 'minority_recall'")
        values = (float(np.asarray(entry["accuracy"])), float(np.asarray(entry["minority_recall"])))
        if not all(0 <= v <= 1 for v in values):
            raise AssertionError(f"{what}[{setting!r}]: accuracy and recall are fractions in [0, 1], got {values}")
        out[setting] = values
    return out


def test_balanced_classes_need_no_remedy(submission, rng):
    """With a 50% 'minority', weighting and oversampling change accuracy and recall by at most 0.03; the same seed, the same metrics."""
    seed = int(rng.integers(0, 2**31 - 1))
    metrics = _metrics(submission.imbalance_study(minority_fraction=0.5, seed=seed), "imbalance_study")
    again = _metrics(submission.imbalance_study(minority_fraction=0.5, seed=seed), "imbalance_study")
    assert again == metrics, "imbalance_study gave other metrics for the same seed: draw everything (data, resampling) from the seed"
    plain_accuracy, plain_recall = metrics["none"]
    for setting in ("weighted", "oversampled"):
        accuracy, recall = metrics[setting]
        assert abs(accuracy - plain_accuracy) <= 0.03 and abs(recall - plain_recall) <= 0.03, (
            f"with balanced classes, '{setting}' gives accuracy {accuracy:.3f} and recall {recall:.3f} against the plain "
            f"model's {plain_accuracy:.3f} and {plain_recall:.3f}: balanced class weights n / (2 n_c) are all about 1 there "
            "(computed from the training set's counts, not from minority_fraction), and there is nothing to oversample")


@claim(task="imbalance", seeds=5)
def remedies_raise_minority_recall(submission, seed):
    """With a 5% minority, both balanced class weights and oversampling raise the minority's recall by at least 0.1 over plain training."""
    metrics = _metrics(submission.imbalance_study(0.05, seed), "imbalance_study")
    plain = metrics["none"][1]
    holds = metrics["weighted"][1] >= plain + 0.1 and metrics["oversampled"][1] >= plain + 0.1
    return Verdict(holds, "minority recall: " + ", ".join(f"{s} {metrics[s][1]:.2f}" for s in SETTINGS)
                   + "; accuracy: " + ", ".join(f"{s} {metrics[s][0]:.3f}" for s in SETTINGS))


def test_claim_remedies_raise_minority_recall(submission, rng):
    """Claim (5 seeds, majority): class weights and oversampling both raise the minority's recall."""
    remedies_raise_minority_recall.check(submission, rng)
