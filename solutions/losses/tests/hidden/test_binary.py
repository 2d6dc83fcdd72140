"""Hidden tests: binary cross-entropy, BCE with logits, multi-label soft margin."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.testing import assert_close, assert_scalar_close


def _matrix(rng, n=None, c=None):
    n = int(rng.integers(2, 30)) if n is None else n
    c = int(rng.integers(1, 9)) if c is None else c
    return n, c


def _check(result, expected, tol, grad_name):
    loss, grad = result
    expected_loss, expected_grad = expected
    assert_scalar_close(loss, expected_loss, name="loss", **tol)
    assert_close(grad, expected_grad, name=grad_name, **tol)


# ---------------------------------------------------------------- binary_cross_entropy


def _bce_oracle(oracle, p, t):
    return oracle(F.binary_cross_entropy, p, t)


@pytest.mark.task("bce")
@pytest.mark.parametrize("soft", [False, True])
def test_bce_interior(submission, rng, oracle, tolerances, soft):
    """binary_cross_entropy: probabilities in (0, 1), hard or soft targets."""
    n, c = _matrix(rng)
    p = rng.uniform(0.01, 0.99, size=(n, c))
    t = rng.random((n, c)) if soft else (rng.random((n, c)) < 0.4).astype(np.float64)
    _check(submission.binary_cross_entropy(p.copy(), t.copy()), _bce_oracle(oracle, p, t), tolerances(np.float64), "dprobs")


@pytest.mark.task("bce")
def test_bce_saturated_probs(submission, rng, oracle):
    """binary_cross_entropy: probabilities exactly 0 and 1 (log clamped at -100, finite gradient)."""
    n, c = _matrix(rng, c=int(rng.integers(2, 6)))
    p = rng.uniform(0.05, 0.95, size=(n, c))
    t = (rng.random((n, c)) < 0.5).astype(np.float64)
    where = rng.random((n, c))
    p[where < 0.2] = 0.0
    p[where > 0.8] = 1.0
    p[0, 0], t[0, 0] = 0.0, 1.0     # confidently wrong both ways
    p[-1, -1], t[-1, -1] = 1.0, 0.0
    p[0, -1], t[0, -1] = 1.0, 1.0   # confidently right
    loss, dprobs = submission.binary_cross_entropy(p.copy(), t.copy())
    expected_loss, expected_grad = _bce_oracle(oracle, p, t)
    assert_scalar_close(loss, expected_loss, name="loss")
    assert_close(dprobs, expected_grad, name="dprobs", rtol=1e-5)


@pytest.mark.task("bce")
def test_bce_float32(submission, rng, oracle, tolerances):
    """binary_cross_entropy on float32 inputs, a 1-D batch including p = 0 and p = 1."""
    n = int(rng.integers(4, 50))
    p = rng.uniform(0.02, 0.98, size=n).astype(np.float32)
    t = (rng.random(n) < 0.5).astype(np.float32)
    p[0], t[0] = 0.0, 0.0
    p[1], t[1] = 1.0, 1.0
    p[2], t[2] = 1.0, 0.0
    _check(submission.binary_cross_entropy(p.copy(), t.copy()), _bce_oracle(oracle, p, t), tolerances(np.float32), "dprobs")


@pytest.mark.task("bce")
def test_bce_batch_of_one(submission, rng, oracle, tolerances):
    """binary_cross_entropy on a single (1, C) row."""
    _, c = _matrix(rng)
    p = rng.uniform(0.01, 0.99, size=(1, c))
    t = (rng.random((1, c)) < 0.5).astype(np.float64)
    _check(submission.binary_cross_entropy(p.copy(), t.copy()), _bce_oracle(oracle, p, t), tolerances(np.float64), "dprobs")


# ---------------------------------------------------------------- bce_with_logits


def _bcel_oracle(oracle, x, t, pos_weight=None):
    pw = None if pos_weight is None else torch.tensor(np.array(pos_weight, dtype=np.float64))
    return oracle(lambda xx, tt: F.binary_cross_entropy_with_logits(xx, tt, pos_weight=pw), x, t)


@pytest.mark.task("bce_logits")
@pytest.mark.parametrize("soft", [False, True])
def test_bce_logits_plain(submission, rng, oracle, tolerances, soft):
    """bce_with_logits without pos_weight, hard or soft targets."""
    n, c = _matrix(rng)
    x = rng.normal(size=(n, c)) * 3
    t = rng.random((n, c)) if soft else (rng.random((n, c)) < 0.3).astype(np.float64)
    _check(submission.bce_with_logits(x.copy(), t.copy()), _bcel_oracle(oracle, x, t), tolerances(np.float64), "dlogits")


@pytest.mark.task("bce_logits")
def test_bce_logits_pos_weight(submission, rng, oracle, tolerances):
    """bce_with_logits with pos_weight of shape (C,)."""
    n, c = _matrix(rng, c=int(rng.integers(2, 9)))
    x = rng.normal(size=(n, c)) * 3
    t = (rng.random((n, c)) < 0.3).astype(np.float64)
    pw = rng.uniform(0.3, 5.0, size=c)
    _check(submission.bce_with_logits(x.copy(), t.copy(), pw.copy()), _bcel_oracle(oracle, x, t, pw), tolerances(np.float64), "dlogits")


@pytest.mark.task("bce_logits")
def test_bce_logits_pos_weight_soft(submission, rng, oracle, tolerances):
    """bce_with_logits with pos_weight and soft targets in (0, 1) (weight * (s - t) is right only for hard targets)."""
    n, c = _matrix(rng, c=int(rng.integers(2, 9)))
    x = rng.normal(size=(n, c)) * 3
    t = rng.uniform(0.05, 0.95, size=(n, c))
    pw = rng.uniform(0.3, 5.0, size=c)
    pw[0] = float(rng.uniform(2.0, 5.0))   # at least one weight far from 1
    _check(submission.bce_with_logits(x.copy(), t.copy(), pw.copy()), _bcel_oracle(oracle, x, t, pw), tolerances(np.float64), "dlogits")


@pytest.mark.task("bce_logits")
def test_bce_logits_pos_weight_3d(submission, rng, oracle, tolerances):
    """bce_with_logits on (N, K, C) logits, pos_weight (C,) broadcast over the last axis."""
    n, k, c = int(rng.integers(1, 6)), int(rng.integers(2, 5)), int(rng.integers(2, 6))
    x = rng.normal(size=(n, k, c)) * 2
    t = (rng.random((n, k, c)) < 0.4).astype(np.float64)
    pw = rng.uniform(0.3, 5.0, size=c)
    _check(submission.bce_with_logits(x.copy(), t.copy(), pos_weight=pw.copy()), _bcel_oracle(oracle, x, t, pw), tolerances(np.float64), "dlogits")


@pytest.mark.task("bce_logits")
def test_bce_logits_large(submission, rng, oracle, tolerances):
    """bce_with_logits: logits of magnitude 1e3 (stable: no overflow, finite gradient), with pos_weight."""
    n, c = _matrix(rng, c=int(rng.integers(2, 9)))
    x = rng.normal(size=(n, c)) * 1e3
    t = (rng.random((n, c)) < 0.5).astype(np.float64)
    pw = rng.uniform(0.3, 5.0, size=c)
    _check(submission.bce_with_logits(x.copy(), t.copy()), _bcel_oracle(oracle, x, t), tolerances(np.float64), "dlogits")
    _check(submission.bce_with_logits(x.copy(), t.copy(), pw.copy()), _bcel_oracle(oracle, x, t, pw), tolerances(np.float64), "dlogits")


@pytest.mark.task("bce_logits")
def test_bce_logits_float32(submission, rng, oracle, tolerances):
    """bce_with_logits on float32 inputs, batch of one, with pos_weight."""
    _, c = _matrix(rng, c=int(rng.integers(2, 9)))
    x = (rng.normal(size=(1, c)) * 4).astype(np.float32)
    t = (rng.random((1, c)) < 0.5).astype(np.float32)
    pw = rng.uniform(0.3, 5.0, size=c).astype(np.float32)
    _check(submission.bce_with_logits(x.copy(), t.copy(), pw.copy()), _bcel_oracle(oracle, x, t, pw), tolerances(np.float32), "dlogits")


# ---------------------------------------------------------------- multilabel_soft_margin_loss


def _mlsm_oracle(oracle, x, t):
    return oracle(F.multilabel_soft_margin_loss, x, t)


@pytest.mark.task("bce_logits")
@pytest.mark.parametrize("n", [None, 1])
def test_soft_margin_random(submission, rng, oracle, tolerances, n):
    """multilabel_soft_margin_loss on random (N, C) logits (and a batch of one)."""
    n, c = _matrix(rng, n=n, c=int(rng.integers(2, 9)))
    x = rng.normal(size=(n, c)) * 3
    t = (rng.random((n, c)) < 0.4).astype(np.float64)
    _check(submission.multilabel_soft_margin_loss(x.copy(), t.copy()), _mlsm_oracle(oracle, x, t), tolerances(np.float64), "dlogits")


@pytest.mark.task("bce_logits")
def test_soft_margin_large(submission, rng, oracle, tolerances):
    """multilabel_soft_margin_loss: logits of magnitude 1e3."""
    n, c = _matrix(rng, c=int(rng.integers(2, 9)))
    x = rng.normal(size=(n, c)) * 1e3
    t = (rng.random((n, c)) < 0.5).astype(np.float64)
    _check(submission.multilabel_soft_margin_loss(x.copy(), t.copy()), _mlsm_oracle(oracle, x, t), tolerances(np.float64), "dlogits")


@pytest.mark.task("bce_logits")
def test_soft_margin_float32(submission, rng, oracle, tolerances):
    """multilabel_soft_margin_loss on float32 inputs."""
    n, c = _matrix(rng, c=int(rng.integers(2, 9)))
    x = (rng.normal(size=(n, c)) * 3).astype(np.float32)
    t = (rng.random((n, c)) < 0.5).astype(np.float32)
    _check(submission.multilabel_soft_margin_loss(x.copy(), t.copy()), _mlsm_oracle(oracle, x, t), tolerances(np.float32), "dlogits")
