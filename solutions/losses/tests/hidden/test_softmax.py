"""Hidden tests: softmax and softmax cross-entropy against torch; the loss value and gradient tested apart."""

import numpy as np
import pytest
from helpers import check_gradient, check_value, tolerances

from autograder.testing import assert_close, oracle
from autograder.testing.lazy_torch import F, torch
from autograder.testing.torch_oracles import torch_loss_and_grad

pytestmark = pytest.mark.task("softmax_ce")


@oracle
def _torch_softmax(logits):
    return torch.softmax(torch.tensor(np.array(logits, dtype=np.float64)), dim=1).numpy().copy()


def _softmax_hints(logits):
    """Two softmaxes students write by mistake: without the max shift (overflow), and over columns."""
    x = np.asarray(logits, dtype=np.float64)
    with np.errstate(all="ignore"):
        unstable = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    shifted = np.exp(x - x.max(axis=0, keepdims=True))
    return {"softmax_no_max_shift": unstable, "softmax_over_columns": shifted / shifted.sum(axis=0, keepdims=True)}


def _problem(rng, n=None, c=None, scale=3.0, dtype=np.float64):
    n = int(rng.integers(2, 40)) if n is None else n
    c = int(rng.integers(2, 11)) if c is None else c
    logits = (rng.normal(size=(n, c)) * scale).astype(dtype)
    y = rng.integers(0, c, size=n)
    return logits, y


def _ce(logits, y, weights=None):
    """``(loss, dlogits)`` of F.cross_entropy (weight= when given), float64."""
    labels = torch.tensor(np.array(y, dtype=np.int64))
    w = None if weights is None else torch.tensor(np.array(weights, dtype=np.float64))
    return torch_loss_and_grad(lambda x: F.cross_entropy(x, labels, weight=w), logits)


def _ce_value_hints(logits, y, weights):
    """Losses of two mistakes: the log of the softmax probabilities (log 0 = -inf once they underflow),
    and the weighted sum divided by N instead of by the sum of the weights used."""
    x = np.asarray(logits, dtype=np.float64)
    rows = np.arange(x.shape[0])
    shifted = x - x.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    w = np.ones(x.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)[y]
    with np.errstate(divide="ignore"):
        log_of_softmax = -np.sum(w * np.log(probs[rows, y])) / np.sum(w)
    return {"ce_log_of_softmax": log_of_softmax, "ce_weighted_sum_divided_by_n": -np.sum(w * log_probs[rows, y]) / x.shape[0]}


def _ce_args(logits, y, weights, by_keyword):
    """The call's arguments: class_weights omitted, positional, or by keyword."""
    if weights is None:
        return (logits, y), {}
    if by_keyword:
        return (logits, y), {"class_weights": np.array(weights, copy=True)}
    return (logits, y, weights), {}


def _ce_value(submission, logits, y, weights=None, tol=None, by_keyword=False):
    loss, _ = _ce(logits, y, weights)
    args, kwargs = _ce_args(logits, y, weights, by_keyword)
    check_value(submission, "softmax_cross_entropy", args, loss, tol or tolerances(np.float64), hints=_ce_value_hints(logits, y, weights),
                **kwargs)


def _ce_gradient(submission, logits, y, weights=None, tol=None, by_keyword=False):
    loss, grad = _ce(logits, y, weights)
    args, kwargs = _ce_args(logits, y, weights, by_keyword)
    check_gradient(submission, "softmax_cross_entropy", args, loss, grad, tol or tolerances(np.float64), "dlogits",
                   hints={"ce_gradient_missing_one_over_n": logits.shape[0] * grad}, **kwargs)


def _with_underflowing_label(logits, y, gap):
    """Sample 0's label ``gap`` below its row's maximum: its softmax probability underflows to 0."""
    logits[0, y[0]] = logits[0].max() - gap
    return logits, y


# ---------------------------------------------------------------- softmax


def test_softmax_random(submission, rng):
    """softmax: rows of random logits."""
    logits, _ = _problem(rng)
    assert_close(submission.softmax(logits.copy()), _torch_softmax(logits), name="probs", hints=_softmax_hints(logits))


def test_softmax_large_logits(submission, rng):
    """softmax: logits of magnitude 1e4 must not overflow."""
    logits, _ = _problem(rng, scale=1e4)
    logits[:, 0] = logits.max(axis=1) - rng.uniform(0.1, 2.0, size=logits.shape[0])  # a close runner-up
    assert_close(submission.softmax(logits.copy()), _torch_softmax(logits), name="probs", hints=_softmax_hints(logits))


def test_softmax_float32_large(submission, rng):
    """softmax: float32 logits of magnitude 1e4 (tolerance 5e-3)."""
    logits, _ = _problem(rng, scale=1e4, dtype=np.float32)
    logits[:, 0] = logits.max(axis=1) - np.float32(1.0)
    assert_close(submission.softmax(logits.copy()), _torch_softmax(logits), name="probs", rtol=5e-3, atol=1e-5)


def test_softmax_batch_of_one(submission, rng):
    """softmax: a single row."""
    logits, _ = _problem(rng, n=1)
    assert_close(submission.softmax(logits.copy()), _torch_softmax(logits), name="probs", hints=_softmax_hints(logits))


# ---------------------------------------------------------------- cross-entropy


@pytest.mark.parametrize("n", [None, 1])
def test_ce_value(submission, rng, n):
    """softmax_cross_entropy value without class weights (random batch, and batch of one)."""
    logits, y = _problem(rng, n=n)
    _ce_value(submission, logits, y)


@pytest.mark.parametrize("n", [None, 1])
def test_ce_gradient(submission, rng, n):
    """softmax_cross_entropy gradient without class weights: (softmax - onehot) / N."""
    logits, y = _problem(rng, n=n)
    _ce_gradient(submission, logits, y)


def test_ce_value_large_logits(submission, rng):
    """softmax_cross_entropy value for logits of magnitude 1e4: finite (log-softmax, not log of softmax)."""
    logits, y = _with_underflowing_label(*_problem(rng, scale=1e4), gap=2e4)
    _ce_value(submission, logits, y)


def test_ce_gradient_large_logits(submission, rng):
    """softmax_cross_entropy gradient for logits of magnitude 1e4."""
    logits, y = _problem(rng, scale=1e4)
    _ce_gradient(submission, logits, y)


def _weights(rng, c, dtype=np.float64):
    return rng.uniform(0.2, 3.0, size=c).astype(dtype)


def test_ce_value_class_weights(submission, rng):
    """softmax_cross_entropy value with class_weights: a weighted mean, as F.cross_entropy(weight=)."""
    logits, y = _problem(rng)
    _ce_value(submission, logits, y, _weights(rng, logits.shape[1]))


def test_ce_gradient_class_weights(submission, rng):
    """softmax_cross_entropy gradient with class_weights."""
    logits, y = _problem(rng)
    _ce_gradient(submission, logits, y, _weights(rng, logits.shape[1]))


def test_ce_value_class_weights_keyword_large(submission, rng):
    """softmax_cross_entropy value with class_weights= by keyword, logits of magnitude 1e3."""
    logits, y = _with_underflowing_label(*_problem(rng, scale=1e3), gap=2e3)
    _ce_value(submission, logits, y, _weights(rng, logits.shape[1]), by_keyword=True)


def test_ce_gradient_class_weights_keyword_large(submission, rng):
    """softmax_cross_entropy gradient with class_weights= by keyword, logits of magnitude 1e3."""
    logits, y = _problem(rng, scale=1e3)
    _ce_gradient(submission, logits, y, _weights(rng, logits.shape[1]), by_keyword=True)


@pytest.mark.parametrize("weighted", [False, True])
def test_ce_value_float32(submission, rng, weighted):
    """softmax_cross_entropy value on float32 logits, with and without weights."""
    logits, y = _problem(rng, dtype=np.float32)
    _ce_value(submission, logits, y, _weights(rng, logits.shape[1], np.float32) if weighted else None, tol=tolerances(np.float32))


@pytest.mark.parametrize("weighted", [False, True])
def test_ce_gradient_float32(submission, rng, weighted):
    """softmax_cross_entropy gradient on float32 logits, with and without weights."""
    logits, y = _problem(rng, dtype=np.float32)
    _ce_gradient(submission, logits, y, _weights(rng, logits.shape[1], np.float32) if weighted else None, tol=tolerances(np.float32))
