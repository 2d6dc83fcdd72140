"""Hidden tests: multi-label metrics and balanced class weights against sklearn."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score
from sklearn.metrics import hamming_loss as sk_hamming_loss
from sklearn.utils.class_weight import compute_class_weight

from autograder.testing import assert_close, assert_scalar_close


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


@pytestmark_metrics
def test_hamming(submission, rng):
    """hamming_loss against sklearn (N > C, so dividing by the wrong axis shows)."""
    y_true, y_pred = _labels(rng, n=int(rng.integers(10, 40)))
    assert_scalar_close(submission.hamming_loss(y_true.copy(), y_pred.copy()), sk_hamming_loss(y_true, y_pred), name="hamming_loss",
                        hints={"divided by the number of samples only": (y_true != y_pred).sum() / y_true.shape[0]})


@pytestmark_metrics
def test_subset_accuracy(submission, rng):
    """subset_accuracy against sklearn.metrics.accuracy_score."""
    y_true, y_pred = _labels(rng)
    assert_scalar_close(submission.subset_accuracy(y_true.copy(), y_pred.copy()), accuracy_score(y_true, y_pred), name="subset_accuracy",
                        hints={"computed the per-label accuracy (that is 1 - hamming loss)": 1 - sk_hamming_loss(y_true, y_pred)})


@pytestmark_metrics
@pytest.mark.parametrize("average", ["micro", "macro", "samples"])
def test_f1(submission, rng, average):
    """multilabel_f1 against sklearn f1_score(zero_division=0), each average."""
    y_true, y_pred = _labels(rng)
    expected = f1_score(y_true, y_pred, average=average, zero_division=0)
    hints = {f"computed the '{other}' average": f1_score(y_true, y_pred, average=other, zero_division=0)
             for other in ("micro", "macro", "samples") if other != average}
    assert_scalar_close(submission.multilabel_f1(y_true.copy(), y_pred.copy(), average), expected, name=f"f1 ({average})", hints=hints)


@pytestmark_metrics
def test_f1_default_is_micro(submission, rng):
    """multilabel_f1 with average omitted is 'micro'."""
    y_true, y_pred = _labels(rng)
    expected = f1_score(y_true, y_pred, average="micro", zero_division=0)
    assert_scalar_close(submission.multilabel_f1(y_true.copy(), y_pred.copy()), expected, name="f1 (default)")


@pytestmark_metrics
def test_metrics_float_and_single_row(submission, rng):
    """All metrics on float 0./1. matrices, and on a single row."""
    y_true, y_pred = _labels(rng)
    ft, fp = y_true.astype(np.float64), y_pred.astype(np.float64)
    assert_scalar_close(submission.hamming_loss(ft.copy(), fp.copy()), sk_hamming_loss(y_true, y_pred), name="hamming_loss")
    assert_scalar_close(submission.subset_accuracy(ft.copy(), fp.copy()), accuracy_score(y_true, y_pred), name="subset_accuracy")
    for average in ("micro", "macro", "samples"):
        assert_scalar_close(submission.multilabel_f1(ft.copy(), fp.copy(), average=average),
                            f1_score(y_true, y_pred, average=average, zero_division=0), name=f"f1 ({average})")
    y_true, y_pred = _labels(rng, n=1)
    y_true[0, 0], y_pred[0, 0] = 1, 1
    assert_scalar_close(submission.subset_accuracy(y_true.copy(), y_pred.copy()), accuracy_score(y_true, y_pred), name="subset_accuracy")
    for average in ("micro", "macro", "samples"):
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
                 hints={"returned the class frequencies instead of their inverse": counts / y.size,
                        "forgot to divide by n_classes": y.size / counts})


@pytest.mark.task("class_weights")
def test_balanced_weights_two_classes(submission, rng):
    """balanced_class_weights on a strongly imbalanced binary problem."""
    n = int(rng.integers(20, 300))
    y = np.zeros(n, dtype=np.int64)
    y[rng.choice(n, size=int(rng.integers(1, 4)), replace=False)] = 1
    expected = compute_class_weight("balanced", classes=np.arange(2), y=y)
    assert_close(submission.balanced_class_weights(y.copy(), 2), expected, name="weights")


@pytest.mark.task("class_weights")
def test_balanced_weights_absent_class(submission, rng, expect_value_error):
    """balanced_class_weights raises ValueError when a class does not occur in y."""
    y, c = _imbalanced(rng)
    missing = int(rng.integers(0, c))
    y = np.where(y == missing, (missing + 1) % c, y)
    expect_value_error(lambda: submission.balanced_class_weights(y.copy(), c))
    # the highest class absent: np.bincount(y) without minlength is one short and has no zero count
    y, c = _imbalanced(rng)
    expect_value_error(lambda: submission.balanced_class_weights(y.copy(), c + 1))
