"""Hidden tests: multi-class hinge loss and logistic regression loss."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.testing import assert_close, assert_scalar_close

# ---------------------------------------------------------------- hinge


def _hinge_problem(rng, n=None, margin=1.0, dtype=np.float64):
    """Scores whose margin terms all stay at least 1e-3 away from 0 (the kink)."""
    n = int(rng.integers(2, 40)) if n is None else n
    c = int(rng.integers(2, 11))
    y = rng.integers(0, c, size=n)
    while True:
        scores = (rng.normal(size=(n, c)) * 1.5).astype(dtype)
        s = scores.astype(np.float64)
        terms = s - s[np.arange(n), y][:, None] + margin
        terms[np.arange(n), y] = 1.0
        if np.abs(terms).min() > 1e-3:
            return scores, y


def _hinge_oracle(oracle, scores, y, margin):
    c = scores.shape[1]
    labels = torch.tensor(np.array(y, dtype=np.int64))
    return oracle(lambda x: c * F.multi_margin_loss(x, labels, margin=margin), scores)


def _hinge_run(submission, oracle, scores, y, margin, tol, pass_margin=True):
    args = (scores.copy(), y.copy(), margin) if pass_margin else (scores.copy(), y.copy())
    loss, dscores = submission.multiclass_hinge_loss(*args)
    expected_loss, expected_grad = _hinge_oracle(oracle, scores, y, margin)
    assert_scalar_close(loss, expected_loss, name="loss", **tol,
                        hints={"divided by the number of classes too (that is F.multi_margin_loss)": expected_loss / scores.shape[1],
                               "also counted the j == y term (adds the margin once per sample)": expected_loss + margin})
    assert_close(dscores, expected_grad, name="dscores", **tol)


@pytest.mark.task("hinge")
def test_hinge_default_margin(submission, rng, oracle, tolerances):
    """multiclass_hinge_loss with the default margin 1 (argument omitted)."""
    scores, y = _hinge_problem(rng)
    _hinge_run(submission, oracle, scores, y, 1.0, tolerances(np.float64), pass_margin=False)


@pytest.mark.task("hinge")
@pytest.mark.parametrize("margin", [0.5, 2.5])
def test_hinge_other_margin(submission, rng, oracle, tolerances, margin):
    """multiclass_hinge_loss with a margin other than 1."""
    scores, y = _hinge_problem(rng, margin=margin)
    _hinge_run(submission, oracle, scores, y, margin, tolerances(np.float64))


@pytest.mark.task("hinge")
def test_hinge_batch_of_one(submission, rng, oracle, tolerances):
    """multiclass_hinge_loss on a single sample."""
    scores, y = _hinge_problem(rng, n=1)
    _hinge_run(submission, oracle, scores, y, 1.0, tolerances(np.float64))


@pytest.mark.task("hinge")
def test_hinge_float32(submission, rng, oracle, tolerances):
    """multiclass_hinge_loss on float32 scores."""
    scores, y = _hinge_problem(rng, dtype=np.float32)
    _hinge_run(submission, oracle, scores, y, 1.0, tolerances(np.float32))


# ---------------------------------------------------------------- logistic regression


def _logreg_problem(rng, n=None, scale=1.0, dtype=np.float64):
    n = int(rng.integers(2, 60)) if n is None else n
    d = int(rng.integers(1, 8))
    X = (rng.normal(size=(n, d)) * scale).astype(dtype)
    w = rng.normal(size=d).astype(dtype)
    b = float(rng.normal())
    y = (rng.random(n) < 0.5).astype(dtype)
    return w, b, X, y


def _logreg_run(submission, w, b, X, y, reg, tol, pass_reg=True):
    args = (w.copy(), b, X.copy(), y.copy()) + ((reg,) if pass_reg else ())
    loss, dw, db = submission.logistic_regression_loss(*args)
    wt = torch.tensor(np.array(w, dtype=np.float64), requires_grad=True)
    bt = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    Xt = torch.tensor(np.array(X, dtype=np.float64))
    yt = torch.tensor(np.array(y, dtype=np.float64))
    z = Xt @ wt + bt
    total = F.binary_cross_entropy_with_logits(z, yt) + 0.5 * reg * torch.sum(wt ** 2)
    total.backward()
    expected_dw = wt.grad.numpy()
    assert_scalar_close(loss, float(total.detach()), name="loss", **tol)
    assert_close(dw, expected_dw, name="dw", **tol,
                 hints={"used reg * w / 2 instead of reg * w for the regulariser's gradient": expected_dw - 0.5 * reg * np.array(w, dtype=np.float64),
                        "forgot the regulariser's gradient": expected_dw - reg * np.array(w, dtype=np.float64)})
    assert_scalar_close(db, float(bt.grad), name="db", **tol)


@pytest.mark.task("logreg")
def test_logreg_no_reg(submission, rng, tolerances):
    """logistic_regression_loss with reg omitted (0)."""
    w, b, X, y = _logreg_problem(rng)
    _logreg_run(submission, w, b, X, y, 0.0, tolerances(np.float64), pass_reg=False)


@pytest.mark.task("logreg")
def test_logreg_with_reg(submission, rng, tolerances):
    """logistic_regression_loss with L2 regularisation (bias not regularised)."""
    w, b, X, y = _logreg_problem(rng)
    _logreg_run(submission, w, b, X, y, float(rng.uniform(0.1, 2.0)), tolerances(np.float64))


@pytest.mark.task("logreg")
def test_logreg_large_z(submission, rng, tolerances):
    """logistic_regression_loss: |z| of order 1e3, computed stably (no clamping).

    The sample with the largest |z| is labelled against its sign, so a loss that is
    clipped (log of a clamped sigmoid caps a sample's loss near 34.5) is always wrong.
    """
    w, b, X, y = _logreg_problem(rng, n=int(rng.integers(4, 60)), scale=500.0)
    z = X @ w
    w = w * (float(rng.uniform(1e3, 5e3)) / np.max(np.abs(z)))
    most_confident = int(np.argmax(np.abs(X @ w + b)))
    y[most_confident] = 0.0 if (X @ w + b)[most_confident] > 0 else 1.0
    _logreg_run(submission, w, b, X, y, 0.3, tolerances(np.float64))


@pytest.mark.task("logreg")
def test_logreg_batch_of_one_float32(submission, rng, tolerances):
    """logistic_regression_loss: a single sample, then float32 inputs."""
    w, b, X, y = _logreg_problem(rng, n=1)
    _logreg_run(submission, w, b, X, y, 0.5, tolerances(np.float64))
    w, b, X, y = _logreg_problem(rng, dtype=np.float32)
    _logreg_run(submission, w, b, X, y, 0.5, tolerances(np.float32))
