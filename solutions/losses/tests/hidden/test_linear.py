"""Hidden tests: multi-class hinge loss and logistic regression loss; value and gradients tested apart.

API.md fixes the hinge gradient where a margin term is exactly 0: no contribution. The
test of that value builds scores on a grid of quarters (exact in floating point), so
some terms are exactly 0, and looks at those entries only; every other test keeps every
term at least 1e-3 away from 0.
"""

import numpy as np
import pytest
from helpers import check_gradient, check_value, loss_call, tolerances

from autograder.testing import assert_close_at, assert_scalar_close, check_loss_gradient, oracle
from autograder.testing.lazy_torch import F, torch
from autograder.testing.torch_oracles import torch_loss_and_grad

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


def _hinge(scores, y, margin):
    """CS231n's hinge loss: C * F.multi_margin_loss (which divides by C), and its gradient."""
    c = scores.shape[1]
    labels = torch.tensor(np.array(y, dtype=np.int64))
    return torch_loss_and_grad(lambda x: c * F.multi_margin_loss(x, labels, margin=margin), scores)


def _terms(scores, y, margin):
    """The margin terms s_j - s_y + margin, with the j == y entries set to nan."""
    s = np.asarray(scores, dtype=np.float64)
    rows = np.arange(s.shape[0])
    terms = s - s[rows, y][:, None] + margin
    terms[rows, y] = np.nan
    return terms


def _hinge_value_hints(scores, y, margin, loss):
    return {"hinge_divided_by_classes": loss / scores.shape[1], "hinge_counted_correct_class": loss + margin}


def _hinge_gradient_hints(scores, y, margin):
    """The gradient with the correct-class entries left at 0, and with terms that are exactly 0 counted as active."""
    terms = _terms(scores, y, margin)
    n, rows = scores.shape[0], np.arange(scores.shape[0])
    at_zero_too = (terms >= 0).astype(float)  # nan (j == y) compares False
    at_zero_too[rows, y] = -at_zero_too.sum(axis=1)
    return {"hinge_no_correct_class_gradient": (terms > 0).astype(float) / n,
            "hinge_zero_term_counted": at_zero_too / n}


def _hinge_args(scores, y, margin, pass_margin):
    return (scores, y, margin) if pass_margin else (scores, y)


HINGE_CASES = [pytest.param({}, id="default-margin"), pytest.param({"margin": 0.5}, id="margin-0.5"),
               pytest.param({"margin": 2.5}, id="margin-2.5"), pytest.param({"n": 1}, id="batch-of-one"),
               pytest.param({"dtype": np.float32}, id="float32")]


def _hinge_case(rng, case):
    margin = case.get("margin", 1.0)
    scores, y = _hinge_problem(rng, n=case.get("n"), margin=margin, dtype=case.get("dtype", np.float64))
    return scores, y, margin, _hinge_args(scores, y, margin, "margin" in case)


@pytest.mark.task("hinge")
@pytest.mark.parametrize("case", HINGE_CASES)
def test_hinge_value(submission, rng, case):
    """multiclass_hinge_loss value: sum over j != y of max(0, s_j - s_y + margin), mean over N (margin omitted = 1)."""
    scores, y, margin, args = _hinge_case(rng, case)
    loss, _ = _hinge(scores, y, margin)
    check_value(submission, "multiclass_hinge_loss", args, loss, tolerances(scores.dtype), hints=_hinge_value_hints(scores, y, margin, loss))


@pytest.mark.task("hinge")
@pytest.mark.parametrize("case", HINGE_CASES)
def test_hinge_gradient(submission, rng, case):
    """multiclass_hinge_loss gradient (margin omitted = 1)."""
    scores, y, margin, args = _hinge_case(rng, case)
    loss, grad = _hinge(scores, y, margin)
    check_gradient(submission, "multiclass_hinge_loss", args, loss, grad, tolerances(scores.dtype), "dscores",
                   hints=_hinge_gradient_hints(scores, y, margin))


@pytest.mark.task("hinge")
def test_hinge_gradient_zero_where_a_term_is_zero(submission, rng):
    """multiclass_hinge_loss: a margin term exactly 0 contributes no gradient (API.md)."""
    n, c = int(rng.integers(4, 20)), int(rng.integers(3, 8))
    margin = float(rng.choice([0.5, 1.0, 1.5]))
    scores = rng.integers(-8, 9, size=(n, c)) * 0.25   # quarters: every term is exact
    y = rng.integers(0, c, size=n)
    rows = np.arange(n)
    others = (y + rng.integers(1, c, size=n)) % c      # one j != y per row ...
    chosen = rng.random(n) < 0.6
    chosen[0] = True                                   # ... in at least one row ...
    scores[rows[chosen], others[chosen]] = scores[rows[chosen], y[chosen]] - margin   # ... with a term exactly 0
    zero_terms = _terms(scores, y, margin) == 0
    _, grad = _hinge(scores, y, margin)
    _, (dscores,) = loss_call(submission, "multiclass_hinge_loss")(scores.copy(), y.copy(), margin)
    assert_close_at(dscores, grad, zero_terms, name="dscores where a margin term is exactly 0",
                    hints={"hinge_zero_term_counted": _hinge_gradient_hints(scores, y, margin)["hinge_zero_term_counted"]})


# ---------------------------------------------------------------- logistic regression


def _logreg_problem(rng, n=None, scale=1.0, dtype=np.float64):
    n = int(rng.integers(2, 60)) if n is None else n
    d = int(rng.integers(1, 8))
    X = (rng.normal(size=(n, d)) * scale).astype(dtype)
    w = rng.normal(size=d).astype(dtype)
    b = float(rng.normal())
    y = (rng.random(n) < 0.5).astype(dtype)
    return w, b, X, y


@oracle
def _logreg(w, b, X, y, reg):
    """``(loss, dw, db)`` of mean BCE with logits z = X @ w + b plus 0.5 * reg * |w|^2, by torch autograd."""
    wt = torch.tensor(np.array(w, dtype=np.float64), requires_grad=True)
    bt = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    z = torch.tensor(np.array(X, dtype=np.float64)) @ wt + bt
    total = F.binary_cross_entropy_with_logits(z, torch.tensor(np.array(y, dtype=np.float64))) + 0.5 * reg * torch.sum(wt**2)
    total.backward()
    return float(total.detach()), wt.grad.numpy().copy(), float(bt.grad)


def _logreg_value_hints(w, b, X, y, reg):
    """The loss from log(clip(sigmoid(z), 1e-15, 1 - 1e-15)): each sample's loss capped near 34.5."""
    w, X, y = (np.asarray(a, dtype=np.float64) for a in (w, X, y))
    z = X @ w + b
    s = np.clip(np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z)))), 1e-15, 1 - 1e-15)
    return {"logreg_clipped_log": -np.mean(y * np.log(s) + (1 - y) * np.log(1 - s)) + 0.5 * reg * np.sum(w**2)}


def _logreg_args(w, b, X, y, reg, pass_reg):
    return (w, b, X, y, reg) if pass_reg else (w, b, X, y)


def _logreg_call(submission):
    """``call(w, b, X, y[, reg]) -> (loss, (dw, db))``, db as a scalar (a size-1 array is accepted as one)."""
    student = loss_call(submission, "logistic_regression_loss", n_grads=2)

    def call(*args):
        loss, (dw, db) = student(*args)
        if isinstance(db, np.ndarray) and db.size == 1:
            db = db.reshape(())
        return loss, (dw, db)
    return call


def _check_logreg_value(submission, w, b, X, y, reg, tol, pass_reg=True):
    loss, _, _ = _logreg(w, b, X, y, reg)
    actual, _ = _logreg_call(submission)(*_logreg_args(w.copy(), b, X.copy(), y.copy(), reg, pass_reg))
    assert_scalar_close(actual, loss, name="loss", hints=_logreg_value_hints(w, b, X, y, reg), **tol)


def _check_logreg_gradients(submission, w, b, X, y, reg, tol, pass_reg=True):
    loss, dw, db = _logreg(w, b, X, y, reg)
    w64 = np.asarray(w, dtype=np.float64)
    check_loss_gradient(_logreg_call(submission), _logreg_args(w, b, X, y, reg, pass_reg),
                        wrt=(0, 1), expected_loss=loss, expected_grads=(dw, db), names=("dw", "db"), function="logistic_regression_loss",
                        value_tests="the loss value tests of logistic_regression_loss",
                        hints={"dw": {"logreg_regulariser_gradient_halved": dw - 0.5 * reg * w64}}, **tol)


@pytest.mark.task("logreg")
def test_logreg_value_reg_omitted(submission, rng):
    """logistic_regression_loss value with reg omitted (0)."""
    _check_logreg_value(submission, *_logreg_problem(rng), 0.0, tolerances(np.float64), pass_reg=False)


@pytest.mark.task("logreg")
def test_logreg_gradients_reg_omitted(submission, rng):
    """logistic_regression_loss dw and db with reg omitted (0)."""
    _check_logreg_gradients(submission, *_logreg_problem(rng), 0.0, tolerances(np.float64), pass_reg=False)


@pytest.mark.task("logreg")
def test_logreg_value_with_reg(submission, rng):
    """logistic_regression_loss value with L2 regularisation 0.5 * reg * |w|^2 (bias not regularised)."""
    _check_logreg_value(submission, *_logreg_problem(rng), float(rng.uniform(0.1, 2.0)), tolerances(np.float64))


@pytest.mark.task("logreg")
def test_logreg_gradients_with_reg(submission, rng):
    """logistic_regression_loss dw and db with L2 regularisation."""
    _check_logreg_gradients(submission, *_logreg_problem(rng), float(rng.uniform(0.1, 2.0)), tolerances(np.float64))


def _large_z(rng):
    """|z| of order 1e3; the sample with the largest |z| is labelled against its sign, so a loss that is
    clipped (log of a clamped sigmoid caps a sample's loss near 34.5) is always wrong."""
    w, b, X, y = _logreg_problem(rng, n=int(rng.integers(4, 60)), scale=500.0)
    w = w * (float(rng.uniform(1e3, 5e3)) / np.max(np.abs(X @ w)))
    z = X @ w + b
    worst = int(np.argmax(np.abs(z)))
    y[worst] = 0.0 if z[worst] > 0 else 1.0
    return w, b, X, y


@pytest.mark.task("logreg")
def test_logreg_value_large_z(submission, rng):
    """logistic_regression_loss value for |z| of order 1e3, computed stably from z (no clamping)."""
    _check_logreg_value(submission, *_large_z(rng), 0.3, tolerances(np.float64))


@pytest.mark.task("logreg")
def test_logreg_gradients_large_z(submission, rng):
    """logistic_regression_loss dw and db for |z| of order 1e3."""
    _check_logreg_gradients(submission, *_large_z(rng), 0.3, tolerances(np.float64))


LOGREG_CASES = [pytest.param({"n": 1}, id="batch-of-one"), pytest.param({"dtype": np.float32}, id="float32")]


@pytest.mark.task("logreg")
@pytest.mark.parametrize("case", LOGREG_CASES)
def test_logreg_value_small_cases(submission, rng, case):
    """logistic_regression_loss value for a single sample, and for float32 inputs."""
    w, b, X, y = _logreg_problem(rng, **case)
    _check_logreg_value(submission, w, b, X, y, 0.5, tolerances(X.dtype))


@pytest.mark.task("logreg")
@pytest.mark.parametrize("case", LOGREG_CASES)
def test_logreg_gradients_small_cases(submission, rng, case):
    """logistic_regression_loss dw and db for a single sample, and for float32 inputs."""
    w, b, X, y = _logreg_problem(rng, **case)
    _check_logreg_gradients(submission, w, b, X, y, 0.5, tolerances(X.dtype))
