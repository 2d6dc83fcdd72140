"""Hidden tests: multi-label metrics and balanced class weights against sklearn."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score
from sklearn.metrics import hamming_loss as sk_hamming_loss
from sklearn.utils.class_weight import compute_class_weight

from autograder.testing import assert_close, assert_raises, assert_scalar_close


def _labels(rng, n=None, c=None):
    """Random multi-label (y_true, y_pred), with empty rows, an empty label and exact matches."""
    n = int(rng.integers(6, 40)) if n is None else n
    c = int(rng.integers(3, 9)) if c is None else c
    y_true = (rng.random((n, c)) < 0.35).astype(np.int64)
    flip = rng.random((n, c)) < 0.25
    y_pred = np.where(flip, 1 - y_true, y_true)
    if n >= 6:
        y_true[0] = 0                # no positive label at all ...
        y_pred[0] = 0                # ... and none predicted
        y_true[1] = 0                # no positive label, some predicted
        y_pred[1, 0] = 1
        y_pred[2] = y_true[2]        # an exact match
        y_true[:, -1] = 0            # a label nobody has ...
        y_pred[:, -1] = 0            # ... and nobody predicts
        y_true[3, -1] = 0
    return y_true, y_pred


pytestmark_metrics = pytest.mark.task("ml_metrics")


def _f1_hints(y_true, y_pred, average):
    """F1 of two mistakes: the 'micro' average computed for another one, and a macro average over the
    labels with TP + FP + FN > 0 only (the others count as 0 in sklearn's zero_division=0)."""
    hints = {} if average == "micro" else {"f1_computed_micro": f1_score(y_true, y_pred, average="micro", zero_division=0)}
    if average == "macro":
        t, p = y_true.astype(bool), y_pred.astype(bool)
        tp, fp, fn = (t & p).sum(0), (~t & p).sum(0), (t & ~p).sum(0)
        seen = (2 * tp + fp + fn) > 0
        hints["f1_macro_skips_empty_labels"] = float(np.mean(2 * tp[seen] / (2 * tp + fp + fn)[seen])) if seen.any() else 0.0
    return hints


@pytestmark_metrics
def test_hamming(submission, rng):
    """hamming_loss against sklearn (N > C, so dividing by the wrong axis shows)."""
    y_true, y_pred = _labels(rng, n=int(rng.integers(10, 40)))
    assert_scalar_close(submission.hamming_loss(y_true.copy(), y_pred.copy()), sk_hamming_loss(y_true, y_pred), name="hamming_loss",
                        hints={"hamming_divided_by_samples_only": (y_true != y_pred).sum() / y_true.shape[0]})


@pytestmark_metrics
def test_subset_accuracy(submission, rng):
    """subset_accuracy against sklearn.metrics.accuracy_score."""
    y_true, y_pred = _labels(rng)
    assert_scalar_close(submission.subset_accuracy(y_true.copy(), y_pred.copy()), accuracy_score(y_true, y_pred), name="subset_accuracy",
                        hints={"subset_accuracy_any_label": float(np.mean(np.any(y_true == y_pred, axis=1)))})


@pytestmark_metrics
@pytest.mark.parametrize("average", ["micro", "macro", "samples"])
def test_f1(submission, rng, average):
    """multilabel_f1 against sklearn f1_score(zero_division=0), each average."""
    y_true, y_pred = _labels(rng)
    expected = f1_score(y_true, y_pred, average=average, zero_division=0)
    assert_scalar_close(submission.multilabel_f1(y_true.copy(), y_pred.copy(), average), expected, name=f"f1 ({average})",
                        hints=_f1_hints(y_true, y_pred, average))


@pytestmark_metrics
def test_f1_default_is_micro(submission, rng):
    """multilabel_f1 with average omitted is 'micro'."""
    y_true, y_pred = _labels(rng)
    expected = f1_score(y_true, y_pred, average="micro", zero_division=0)
    assert_scalar_close(submission.multilabel_f1(y_true.copy(), y_pred.copy()), expected, name="f1 (default)")


@pytestmark_metrics
def test_hamming_float_labels(submission, rng):
    """hamming_loss on float 0./1. matrices."""
    y_true, y_pred = _labels(rng)
    assert_scalar_close(submission.hamming_loss(y_true.astype(np.float64), y_pred.astype(np.float64)), sk_hamming_loss(y_true, y_pred),
                        name="hamming_loss")


@pytestmark_metrics
def test_subset_accuracy_float_labels(submission, rng):
    """subset_accuracy on float 0./1. matrices."""
    y_true, y_pred = _labels(rng)
    assert_scalar_close(submission.subset_accuracy(y_true.astype(np.float64), y_pred.astype(np.float64)), accuracy_score(y_true, y_pred),
                        name="subset_accuracy")


@pytestmark_metrics
@pytest.mark.parametrize("average", ["micro", "macro", "samples"])
def test_f1_float_labels(submission, rng, average):
    """multilabel_f1 on float 0./1. matrices, average by keyword."""
    y_true, y_pred = _labels(rng)
    assert_scalar_close(submission.multilabel_f1(y_true.astype(np.float64), y_pred.astype(np.float64), average=average),
                        f1_score(y_true, y_pred, average=average, zero_division=0), name=f"f1 ({average})")


def _single_row(rng):
    y_true, y_pred = _labels(rng, n=1)
    y_true[0, 0], y_pred[0, 0] = 1, 1
    return y_true, y_pred


@pytestmark_metrics
def test_subset_accuracy_single_row(submission, rng):
    """subset_accuracy on a single row."""
    y_true, y_pred = _single_row(rng)
    assert_scalar_close(submission.subset_accuracy(y_true.copy(), y_pred.copy()), accuracy_score(y_true, y_pred), name="subset_accuracy")


@pytestmark_metrics
@pytest.mark.parametrize("average", ["micro", "macro", "samples"])
def test_f1_single_row(submission, rng, average):
    """multilabel_f1 on a single row."""
    y_true, y_pred = _single_row(rng)
    assert_scalar_close(submission.multilabel_f1(y_true.copy(), y_pred.copy(), average),
                        f1_score(y_true, y_pred, average=average, zero_division=0), name=f"f1 ({average})")


# ---------------------------------------------------------------- class weights


def _imbalanced(rng):
    c = int(rng.integers(2, 9))
    n = int(rng.integers(3 * c, 200))
    probs = rng.dirichlet(np.ones(c) * 0.7)
    y = np.concatenate([np.arange(c), rng.choice(c, size=n - c, p=probs)])
    return rng.permutation(y), c


@pytest.mark.task("class_weights")
def test_balanced_weights(submission, rng):
    """balanced_class_weights against compute_class_weight('balanced')."""
    y, c = _imbalanced(rng)
    expected = compute_class_weight("balanced", classes=np.arange(c), y=y)
    counts = np.bincount(y, minlength=c)
    assert_close(submission.balanced_class_weights(y.copy(), c), expected, name="weights",
                 hints={"class_weights_without_n_classes": y.size / counts})


@pytest.mark.task("class_weights")
def test_balanced_weights_two_classes(submission, rng):
    """balanced_class_weights on a strongly imbalanced binary problem."""
    n = int(rng.integers(20, 300))
    y = np.zeros(n, dtype=np.int64)
    y[rng.choice(n, size=int(rng.integers(1, 4)), replace=False)] = 1
    expected = compute_class_weight("balanced", classes=np.arange(2), y=y)
    assert_close(submission.balanced_class_weights(y.copy(), 2), expected, name="weights")


@pytest.mark.task("class_weights")
def test_balanced_weights_absent_class_raises(submission, rng):
    """balanced_class_weights raises ValueError when a class does not occur in y (API.md)."""
    y, c = _imbalanced(rng)
    missing = int(rng.integers(0, c - 1))   # not the highest class: that case has a test of its own
    assert_raises(ValueError, submission.balanced_class_weights, np.where(y == missing, missing + 1, y), c)


@pytest.mark.task("class_weights")
def test_balanced_weights_absent_highest_class_raises(submission, rng):
    """balanced_class_weights raises ValueError when the highest class does not occur (np.bincount needs minlength)."""
    y, c = _imbalanced(rng)
    assert_raises(ValueError, submission.balanced_class_weights, y.copy(), c + 1)
