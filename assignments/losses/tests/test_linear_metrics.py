"""Public tests: hinge loss, logistic regression, multi-label metrics, class weights."""

import numpy as np
import pytest

from autograder.testing import assert_raises


@pytest.mark.task("hinge")
@pytest.mark.parametrize("margin", [1.0, 0.5])
def test_multiclass_hinge_loss(submission, frozen, margin):
    """multiclass_hinge_loss on a (5, 4) batch."""
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(5, 4))
    y = rng.integers(0, 4, size=5)
    loss, dscores = submission.multiclass_hinge_loss(scores.copy(), y.copy(), margin)
    m = np.maximum(0, scores - scores[np.arange(5), y][:, None] + margin)
    m[np.arange(5), y] = 0
    frozen.check(f"hinge_{margin}.loss", loss, hints={"counted the j == y term too": m.sum() / 5 + margin,
                                                      "divided by N * C (that is F.multi_margin_loss)": m.sum() / 20})
    frozen.check(f"hinge_{margin}.dscores", dscores,
                 hints={"left the correct class's gradient at 0": (m > 0) / 5.0})


@pytest.mark.task("logreg")
@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_logistic_regression_loss(submission, frozen, reg):
    """logistic_regression_loss with and without L2 regularisation."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3))
    w = rng.normal(size=3)
    b = 0.3
    y = np.array([0, 1, 1, 0, 1, 0], dtype=float)
    loss, dw, db = submission.logistic_regression_loss(w.copy(), b, X.copy(), y.copy(), reg)
    z = X @ w + b
    s = 1 / (1 + np.exp(-z))
    data_loss = -np.mean(y * np.log(s) + (1 - y) * np.log(1 - s))
    data_dw = X.T @ (s - y) / 6
    frozen.check(f"logreg_{reg}.loss", loss, hints={"forgot the regulariser in the loss": data_loss,
                                                    "used reg * sum(w**2) without the 0.5": data_loss + reg * np.sum(w ** 2)})
    frozen.check(f"logreg_{reg}.dw", dw, hints={"forgot the 2 of d/dw w**2 (0.5 * reg * w)": data_dw + 0.5 * reg * w,
                                                "forgot the 1/N": X.T @ (s - y) + reg * w})
    frozen.check(f"logreg_{reg}.db", db)


@pytest.mark.task("logreg")
def test_logistic_regression_large_z(submission, frozen):
    """logistic_regression_loss with |z| ~ 1000: the loss of a confident mistake is |z|, not 34.5 or inf."""
    X = np.array([[1000.0], [-1000.0], [2.0]])
    w = np.array([1.0])
    y = np.array([0.0, 0.0, 1.0])
    loss, dw, db = submission.logistic_regression_loss(w.copy(), 0.0, X.copy(), y.copy())
    frozen.check("logreg_large.loss", loss)
    frozen.check("logreg_large.dw", dw)
    frozen.check("logreg_large.db", db)


def _labels():
    y_true = np.array([[1, 0, 1, 0], [0, 0, 0, 0], [1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]])
    y_pred = np.array([[1, 0, 0, 0], [0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 0, 0]])
    return y_true, y_pred


@pytest.mark.task("ml_metrics")
def test_hamming_and_subset(submission, frozen):
    """hamming_loss and subset_accuracy on 5 samples x 4 labels."""
    y_true, y_pred = _labels()
    frozen.check("hamming", submission.hamming_loss(y_true.copy(), y_pred.copy()),
                 hints={"divided by the number of samples only": (y_true != y_pred).sum() / 5})
    frozen.check("subset", submission.subset_accuracy(y_true.copy(), y_pred.copy()),
                 hints={"computed per-label accuracy (1 - hamming loss)": np.mean(y_true == y_pred),
                        "counted a row as right when any label matches": np.mean(np.any(y_true == y_pred, axis=1))})


@pytest.mark.task("ml_metrics")
@pytest.mark.parametrize("average", ["micro", "macro", "samples"])
def test_multilabel_f1(submission, frozen, average):
    """multilabel_f1 with each average; rows and a label with no positives count as F1 = 0."""
    y_true, y_pred = _labels()
    frozen.check(f"f1_{average}", submission.multilabel_f1(y_true.copy(), y_pred.copy(), average))


@pytest.mark.task("class_weights")
def test_balanced_class_weights(submission, frozen):
    """balanced_class_weights on 10 labels of 3 classes."""
    y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 2])
    counts = np.bincount(y)
    frozen.check("weights", submission.balanced_class_weights(y.copy(), 3),
                 hints={"returned the class frequencies": counts / 10, "forgot to divide by n_classes": 10 / counts})


@pytest.mark.task("class_weights")
def test_balanced_class_weights_absent(submission):
    """balanced_class_weights raises ValueError when a class never occurs (class 1 here)."""
    assert_raises(ValueError, submission.balanced_class_weights, np.array([0, 0, 2, 2]), 3)


@pytest.mark.task("class_weights")
def test_balanced_class_weights_absent_last(submission):
    """balanced_class_weights raises ValueError when the highest class never occurs (np.bincount needs minlength)."""
    assert_raises(ValueError, submission.balanced_class_weights, np.array([0, 1, 1, 0]), 3)
