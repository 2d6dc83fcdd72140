"""Hidden tests: softmax and softmax cross-entropy against torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.testing import assert_close, assert_scalar_close

pytestmark = pytest.mark.task("softmax_ce")


def _torch_softmax(logits):
    return torch.softmax(torch.tensor(np.array(logits, dtype=np.float64)), dim=1).numpy()


def _ce_oracle(oracle, logits, y, weights=None):
    labels = np.array(y, dtype=np.int64)

    def loss_fn(x):
        w = None if weights is None else torch.tensor(np.array(weights, dtype=np.float64))
        return F.cross_entropy(x, torch.tensor(labels), weight=w)

    return oracle(loss_fn, logits)


def _problem(rng, n=None, c=None, scale=3.0, dtype=np.float64):
    n = int(rng.integers(2, 40)) if n is None else n
    c = int(rng.integers(2, 11)) if c is None else c
    logits = (rng.normal(size=(n, c)) * scale).astype(dtype)
    y = rng.integers(0, c, size=n)
    return logits, y


def test_softmax_random(submission, rng):
    """softmax: rows of random logits."""
    logits, _ = _problem(rng)
    probs = submission.softmax(logits.copy())
    assert_close(probs, _torch_softmax(logits), name="probs",
                 hints={"normalised over the wrong axis (columns instead of rows)": np.exp(logits) / np.exp(logits).sum(axis=0)})


def test_softmax_large_logits(submission, rng):
    """softmax: logits of magnitude 1e4 must not overflow."""
    logits, _ = _problem(rng, scale=1e4)
    logits[:, 0] = logits.max(axis=1) - rng.uniform(0.1, 2.0, size=logits.shape[0])  # a close runner-up
    assert_close(submission.softmax(logits.copy()), _torch_softmax(logits), name="probs")


def test_softmax_float32_large(submission, rng):
    """softmax: float32 logits of magnitude 1e4 (tolerance 5e-3)."""
    logits, _ = _problem(rng, scale=1e4, dtype=np.float32)
    logits[:, 0] = logits.max(axis=1) - np.float32(1.0)
    assert_close(submission.softmax(logits.copy()), _torch_softmax(logits), name="probs", rtol=5e-3, atol=1e-5)


def test_softmax_batch_of_one(submission, rng):
    """softmax: a single row."""
    logits, _ = _problem(rng, n=1)
    assert_close(submission.softmax(logits.copy()), _torch_softmax(logits), name="probs")


@pytest.mark.parametrize("n", [None, 1])
def test_ce_unweighted(submission, rng, oracle, n):
    """softmax_cross_entropy without class weights (random batch, and batch of one)."""
    logits, y = _problem(rng, n=n)
    loss, dlogits = submission.softmax_cross_entropy(logits.copy(), y.copy())
    expected_loss, expected_grad = _ce_oracle(oracle, logits, y)
    assert_scalar_close(loss, expected_loss, name="loss")
    assert_close(dlogits, expected_grad, name="dlogits")


def test_ce_large_logits(submission, rng, oracle):
    """softmax_cross_entropy: logits of magnitude 1e4, finite loss and gradient."""
    logits, y = _problem(rng, scale=1e4)
    loss, dlogits = submission.softmax_cross_entropy(logits.copy(), y.copy())
    expected_loss, expected_grad = _ce_oracle(oracle, logits, y)
    assert_scalar_close(loss, expected_loss, name="loss")
    assert_close(dlogits, expected_grad, name="dlogits")


def test_ce_class_weights(submission, rng, oracle):
    """softmax_cross_entropy with class_weights: a weighted mean, as F.cross_entropy(weight=)."""
    logits, y = _problem(rng)
    weights = rng.uniform(0.2, 3.0, size=logits.shape[1])
    loss, dlogits = submission.softmax_cross_entropy(logits.copy(), y.copy(), weights.copy())
    expected_loss, expected_grad = _ce_oracle(oracle, logits, y, weights)
    assert_scalar_close(loss, expected_loss, name="loss")
    assert_close(dlogits, expected_grad, name="dlogits")


def test_ce_class_weights_keyword_large(submission, rng, oracle):
    """softmax_cross_entropy with class_weights= by keyword, logits of magnitude 1e3."""
    logits, y = _problem(rng, scale=1e3)
    weights = rng.uniform(0.2, 3.0, size=logits.shape[1])
    loss, dlogits = submission.softmax_cross_entropy(logits.copy(), y.copy(), class_weights=weights.copy())
    expected_loss, expected_grad = _ce_oracle(oracle, logits, y, weights)
    assert_scalar_close(loss, expected_loss, name="loss")
    assert_close(dlogits, expected_grad, name="dlogits")


def test_ce_float32(submission, rng, oracle, tolerances):
    """softmax_cross_entropy on float32 logits, with and without weights."""
    logits, y = _problem(rng, dtype=np.float32)
    weights = rng.uniform(0.2, 3.0, size=logits.shape[1]).astype(np.float32)
    for w in (None, weights):
        loss, dlogits = submission.softmax_cross_entropy(logits.copy(), y.copy(), None if w is None else w.copy())
        expected_loss, expected_grad = _ce_oracle(oracle, logits, y, w)
        assert_scalar_close(loss, expected_loss, name="loss", **tolerances(np.float32))
        assert_close(dlogits, expected_grad, name="dlogits", **tolerances(np.float32))
