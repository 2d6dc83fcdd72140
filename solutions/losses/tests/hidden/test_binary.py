"""Hidden tests: binary cross-entropy, BCE with logits and the multi-label soft margin loss, against torch.

The loss value and the gradient are tested apart. API.md fixes BCE at p in {0, 1}: the log
clamped at -100 and the gradient (p - t) / max(p (1 - p), 1e-12) / n, finite; the tests of
those values look at the saturated entries only.
"""

import numpy as np
import pytest
from helpers import check_gradient, check_value, loss_call, tolerances

from autograder.testing import assert_close_at
from autograder.testing.lazy_torch import F, torch
from autograder.testing.torch_oracles import torch_loss_and_grad


def _matrix(rng, n=None, c=None):
    n = int(rng.integers(2, 30)) if n is None else n
    c = int(rng.integers(1, 9)) if c is None else c
    return n, c


# ---------------------------------------------------------------- binary_cross_entropy


def _bce(p, t):
    return torch_loss_and_grad(F.binary_cross_entropy, p, t)


def _bce_mistakes(p, t):
    """Loss and gradient of Keras-style clipping of p to [1e-7, 1 - 1e-7], and the gradient without the 1e-12 guard."""
    p, t = np.asarray(p, dtype=np.float64), np.asarray(t, dtype=np.float64)
    q = np.clip(p, 1e-7, 1 - 1e-7)
    with np.errstate(all="ignore"):
        unguarded = (p - t) / (p * (1 - p)) / p.size
    return ({"bce_probabilities_clipped": -np.mean(t * np.log(q) + (1 - t) * np.log(1 - q))},
            {"bce_probabilities_clipped": (q - t) / (q * (1 - q)) / p.size, "bce_gradient_unguarded": unguarded})


def _interior(rng, soft):
    n, c = _matrix(rng)
    p = rng.uniform(0.01, 0.99, size=(n, c))
    t = rng.random((n, c)) if soft else (rng.random((n, c)) < 0.4).astype(np.float64)
    return p, t


@pytest.mark.task("bce")
@pytest.mark.parametrize("soft", [False, True])
def test_bce_value(submission, rng, soft):
    """binary_cross_entropy value: probabilities in (0, 1), hard or soft targets."""
    p, t = _interior(rng, soft)
    check_value(submission, "binary_cross_entropy", (p, t), _bce(p, t)[0], tolerances(np.float64))


@pytest.mark.task("bce")
@pytest.mark.parametrize("soft", [False, True])
def test_bce_gradient(submission, rng, soft):
    """binary_cross_entropy gradient: probabilities in (0, 1), hard or soft targets."""
    p, t = _interior(rng, soft)
    loss, grad = _bce(p, t)
    check_gradient(submission, "binary_cross_entropy", (p, t), loss, grad, tolerances(np.float64), "dprobs")


def _saturated(rng, dtype=np.float64):
    """Probabilities with about 40% of entries exactly 0 or 1, confidently wrong and right both ways, hard targets."""
    n, c = _matrix(rng, c=int(rng.integers(2, 6)))
    p = rng.uniform(0.05, 0.95, size=(n, c))
    t = (rng.random((n, c)) < 0.5).astype(np.float64)
    where = rng.random((n, c))
    p[where < 0.2] = 0.0
    p[where > 0.8] = 1.0
    p[0, 0], t[0, 0] = 0.0, 1.0     # confidently wrong both ways
    p[-1, -1], t[-1, -1] = 1.0, 0.0
    p[0, -1], t[0, -1] = 1.0, 1.0   # confidently right
    return p.astype(dtype), t.astype(dtype)


@pytest.mark.task("bce")
def test_bce_value_at_zero_and_one(submission, rng):
    """binary_cross_entropy value with probabilities exactly 0 and 1: each log clamped at -100 (API.md, as torch)."""
    p, t = _saturated(rng)
    check_value(submission, "binary_cross_entropy", (p, t), _bce(p, t)[0], tolerances(np.float64), hints=_bce_mistakes(p, t)[0])


@pytest.mark.task("bce")
def test_bce_gradient_at_zero_and_one(submission, rng):
    """binary_cross_entropy gradient where p is exactly 0 or 1: (p - t) / max(p (1 - p), 1e-12) / n, finite (API.md)."""
    p, t = _saturated(rng)
    _, grad = _bce(p, t)
    _, (dprobs,) = loss_call(submission, "binary_cross_entropy")(p.copy(), t.copy())
    assert_close_at(dprobs, grad, (p == 0) | (p == 1), name="dprobs where p is 0 or 1", rtol=1e-5, atol=1e-8,
                    hints=_bce_mistakes(p, t)[1])


@pytest.mark.task("bce")
def test_bce_gradient_float32_with_saturated(submission, rng):
    """binary_cross_entropy gradient on float32 inputs, a 1-D batch including p = 0 and p = 1."""
    n = int(rng.integers(4, 50))
    p = rng.uniform(0.02, 0.98, size=n).astype(np.float32)
    t = (rng.random(n) < 0.5).astype(np.float32)
    p[:3], t[:3] = [0.0, 1.0, 1.0], [0.0, 1.0, 0.0]
    loss, grad = _bce(p, t)
    check_gradient(submission, "binary_cross_entropy", (p, t), loss, grad, tolerances(np.float32), "dprobs", hints=_bce_mistakes(p, t)[1])


@pytest.mark.task("bce")
def test_bce_value_float32_with_saturated(submission, rng):
    """binary_cross_entropy value on float32 inputs, a 1-D batch including p = 0 and p = 1."""
    n = int(rng.integers(4, 50))
    p = rng.uniform(0.02, 0.98, size=n).astype(np.float32)
    t = (rng.random(n) < 0.5).astype(np.float32)
    p[:3], t[:3] = [0.0, 1.0, 1.0], [0.0, 1.0, 0.0]
    check_value(submission, "binary_cross_entropy", (p, t), _bce(p, t)[0], tolerances(np.float32), hints=_bce_mistakes(p, t)[0])


@pytest.mark.task("bce")
def test_bce_value_batch_of_one(submission, rng):
    """binary_cross_entropy value on a single (1, C) row."""
    _, c = _matrix(rng)
    p, t = rng.uniform(0.01, 0.99, size=(1, c)), (rng.random((1, c)) < 0.5).astype(np.float64)
    check_value(submission, "binary_cross_entropy", (p, t), _bce(p, t)[0], tolerances(np.float64))


@pytest.mark.task("bce")
def test_bce_gradient_batch_of_one(submission, rng):
    """binary_cross_entropy gradient on a single (1, C) row."""
    _, c = _matrix(rng)
    p, t = rng.uniform(0.01, 0.99, size=(1, c)), (rng.random((1, c)) < 0.5).astype(np.float64)
    loss, grad = _bce(p, t)
    check_gradient(submission, "binary_cross_entropy", (p, t), loss, grad, tolerances(np.float64), "dprobs")


# ---------------------------------------------------------------- bce_with_logits


def _bcel(x, t, pos_weight=None):
    pw = None if pos_weight is None else torch.tensor(np.array(pos_weight, dtype=np.float64))
    return torch_loss_and_grad(lambda xx, tt: F.binary_cross_entropy_with_logits(xx, tt, pos_weight=pw), x, t)


def _bcel_value_hints(x, t, pos_weight):
    """Losses of log(sigmoid(x)) computed directly (log 0 at large |x|) and of pos_weight on the whole loss."""
    x, t = np.asarray(x, dtype=np.float64), np.asarray(t, dtype=np.float64)
    pw = 1.0 if pos_weight is None else np.asarray(pos_weight, dtype=np.float64)
    log_s = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
    log_1ms = np.minimum(-x, 0) - np.log1p(np.exp(-np.abs(x)))
    with np.errstate(all="ignore"):
        s = 1.0 / (1.0 + np.exp(-x))
        naive = -np.mean(pw * t * np.log(s) + (1 - t) * np.log(1 - s))
    return {"log_of_sigmoid": naive, "pos_weight_on_whole_loss": np.mean(-pw * (t * log_s + (1 - t) * log_1ms))}


def _bcel_gradient_hints(x, t, pos_weight):
    """The gradient (1 + (pw - 1) t)(s - t), right for hard targets only."""
    if pos_weight is None:
        return {}
    x, t = np.asarray(x, dtype=np.float64), np.asarray(t, dtype=np.float64)
    s = 1.0 / (1.0 + np.exp(-np.clip(x, -700, 700)))
    return {"pos_weight_gradient_for_hard_targets_only": (1 + (np.asarray(pos_weight, dtype=np.float64) - 1) * t) * (s - t) / x.size}


def _bcel_value(submission, x, t, pos_weight=None, tol=None, by_keyword=False):
    args, kwargs = _bcel_args(x, t, pos_weight, by_keyword)
    check_value(submission, "bce_with_logits", args, _bcel(x, t, pos_weight)[0], tol or tolerances(np.float64),
                hints=_bcel_value_hints(x, t, pos_weight), **kwargs)


def _bcel_gradient(submission, x, t, pos_weight=None, tol=None, by_keyword=False):
    args, kwargs = _bcel_args(x, t, pos_weight, by_keyword)
    loss, grad = _bcel(x, t, pos_weight)
    check_gradient(submission, "bce_with_logits", args, loss, grad, tol or tolerances(np.float64), "dlogits",
                   hints=_bcel_gradient_hints(x, t, pos_weight), **kwargs)


def _bcel_args(x, t, pos_weight, by_keyword):
    if pos_weight is None:
        return (x, t), {}
    if by_keyword:
        return (x, t), {"pos_weight": np.array(pos_weight, copy=True)}
    return (x, t, pos_weight), {}


def _plain(rng, soft):
    n, c = _matrix(rng)
    x = rng.normal(size=(n, c)) * 3
    t = rng.random((n, c)) if soft else (rng.random((n, c)) < 0.3).astype(np.float64)
    return x, t


def _weighted(rng, soft=False):
    n, c = _matrix(rng, c=int(rng.integers(2, 9)))
    x = rng.normal(size=(n, c)) * 3
    t = rng.uniform(0.05, 0.95, size=(n, c)) if soft else (rng.random((n, c)) < 0.3).astype(np.float64)
    pw = rng.uniform(0.3, 5.0, size=c)
    pw[0] = float(rng.uniform(2.0, 5.0))
    return x, t, pw


@pytest.mark.task("bce_logits")
@pytest.mark.parametrize("soft", [False, True])
def test_bce_logits_value(submission, rng, soft):
    """bce_with_logits value without pos_weight, hard or soft targets."""
    _bcel_value(submission, *_plain(rng, soft))


@pytest.mark.task("bce_logits")
@pytest.mark.parametrize("soft", [False, True])
def test_bce_logits_gradient(submission, rng, soft):
    """bce_with_logits gradient without pos_weight, hard or soft targets."""
    _bcel_gradient(submission, *_plain(rng, soft))


@pytest.mark.task("bce_logits")
@pytest.mark.parametrize("soft", [False, True])
def test_bce_logits_value_pos_weight(submission, rng, soft):
    """bce_with_logits value with pos_weight of shape (C,) weighting the positive term only."""
    _bcel_value(submission, *_weighted(rng, soft))


@pytest.mark.task("bce_logits")
@pytest.mark.parametrize("soft", [False, True])
def test_bce_logits_gradient_pos_weight(submission, rng, soft):
    """bce_with_logits gradient with pos_weight, hard or soft targets (weight * (s - t) is right only for hard ones)."""
    _bcel_gradient(submission, *_weighted(rng, soft))


def _three_d(rng):
    n, k, c = int(rng.integers(1, 6)), int(rng.integers(2, 5)), int(rng.integers(2, 6))
    return rng.normal(size=(n, k, c)) * 2, (rng.random((n, k, c)) < 0.4).astype(np.float64), rng.uniform(0.3, 5.0, size=c)


@pytest.mark.task("bce_logits")
def test_bce_logits_value_pos_weight_3d(submission, rng):
    """bce_with_logits value on (N, K, C) logits, pos_weight (C,) by keyword, broadcast over the last axis."""
    _bcel_value(submission, *_three_d(rng), by_keyword=True)


@pytest.mark.task("bce_logits")
def test_bce_logits_gradient_pos_weight_3d(submission, rng):
    """bce_with_logits gradient on (N, K, C) logits, pos_weight (C,) by keyword."""
    _bcel_gradient(submission, *_three_d(rng), by_keyword=True)


def _large(rng):
    n, c = _matrix(rng, c=int(rng.integers(2, 9)))
    x = rng.normal(size=(n, c)) * 1e3
    t = (rng.random((n, c)) < 0.5).astype(np.float64)
    x[0, 0], t[0, 0] = -abs(x[0, 0]) - 800.0, 1.0   # a confident mistake: log(sigmoid(x)) underflows to log(0)
    return x, t, rng.uniform(0.3, 5.0, size=c)


@pytest.mark.task("bce_logits")
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_logits_value_large(submission, rng, weighted):
    """bce_with_logits value for logits of magnitude 1e3 (stable: no log(0)), with and without pos_weight."""
    x, t, pw = _large(rng)
    _bcel_value(submission, x, t, pw if weighted else None)


@pytest.mark.task("bce_logits")
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_logits_gradient_large(submission, rng, weighted):
    """bce_with_logits gradient for logits of magnitude 1e3, with and without pos_weight."""
    x, t, pw = _large(rng)
    _bcel_gradient(submission, x, t, pw if weighted else None)


def _float32_row(rng):
    _, c = _matrix(rng, c=int(rng.integers(2, 9)))
    return ((rng.normal(size=(1, c)) * 4).astype(np.float32), (rng.random((1, c)) < 0.5).astype(np.float32),
            rng.uniform(0.3, 5.0, size=c).astype(np.float32))


@pytest.mark.task("bce_logits")
def test_bce_logits_value_float32(submission, rng):
    """bce_with_logits value on float32 inputs, batch of one, with pos_weight."""
    _bcel_value(submission, *_float32_row(rng), tol=tolerances(np.float32))


@pytest.mark.task("bce_logits")
def test_bce_logits_gradient_float32(submission, rng):
    """bce_with_logits gradient on float32 inputs, batch of one, with pos_weight."""
    _bcel_gradient(submission, *_float32_row(rng), tol=tolerances(np.float32))


# ---------------------------------------------------------------- multilabel_soft_margin_loss


def _soft_margin_hints(x, t):
    """The loss summed over the labels instead of averaged over them."""
    x, t = np.asarray(x, dtype=np.float64), np.asarray(t, dtype=np.float64)
    log_s = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
    log_1ms = np.minimum(-x, 0) - np.log1p(np.exp(-np.abs(x)))
    return {"soft_margin_summed_over_labels": -np.sum(t * log_s + (1 - t) * log_1ms) / x.shape[0]}


def _margin_case(rng, n=None, scale=3.0, dtype=np.float64):
    n, c = _matrix(rng, n=n, c=int(rng.integers(2, 9)))
    return (rng.normal(size=(n, c)) * scale).astype(dtype), (rng.random((n, c)) < 0.4).astype(dtype)


MARGIN_CASES = [pytest.param({}, id="random"), pytest.param({"n": 1}, id="batch-of-one"), pytest.param({"scale": 1e3}, id="large"),
                pytest.param({"dtype": np.float32}, id="float32")]


@pytest.mark.task("bce_logits")
@pytest.mark.parametrize("case", MARGIN_CASES)
def test_soft_margin_value(submission, rng, case):
    """multilabel_soft_margin_loss value: the mean over labels, then over samples."""
    x, t = _margin_case(rng, **case)
    check_value(submission, "multilabel_soft_margin_loss", (x, t), torch_loss_and_grad(F.multilabel_soft_margin_loss, x, t)[0],
                tolerances(x.dtype), hints=_soft_margin_hints(x, t))


@pytest.mark.task("bce_logits")
@pytest.mark.parametrize("case", MARGIN_CASES)
def test_soft_margin_gradient(submission, rng, case):
    """multilabel_soft_margin_loss gradient."""
    x, t = _margin_case(rng, **case)
    loss, grad = torch_loss_and_grad(F.multilabel_soft_margin_loss, x, t)
    check_gradient(submission, "multilabel_soft_margin_loss", (x, t), loss, grad, tolerances(x.dtype), "dlogits")
