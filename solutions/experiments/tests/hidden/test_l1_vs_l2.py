"""Hidden tests: L1 (proximal gradient) vs L2 (gradient descent) logistic regression.

Mechanics: both weight vectors against the test's own loop, to 1e-6; the L1 zeros
must be exact. Claim: on data with 3 informative and 7 uninformative features,
L1 sets most uninformative weights exactly to 0 and keeps the informative ones,
L2 sets none to 0 (graded on the majority of 5 seeds).
"""

import numpy as np
import pytest
from scipy.special import expit

from autograder.claims import Verdict, claim
from autograder.testing import assert_close

pytestmark = pytest.mark.task("l1_vs_l2")


def _oracle(X, y, reg, steps, lr, threshold=None, l2_factor=1.0, subgradient=False):
    """Proximal-gradient L1 and gradient-descent L2 from zeros; the keyword arguments give known mistakes."""
    n, d = X.shape
    w1, w2 = np.zeros(d), np.zeros(d)
    for _ in range(steps):
        g1 = X.T @ (expit(X @ w1) - y) / n
        if subgradient:
            w1 = w1 - lr * (g1 + reg * np.sign(w1))
        else:
            z = w1 - lr * g1
            w1 = np.sign(z) * np.maximum(np.abs(z) - (lr * reg if threshold is None else threshold), 0.0)
        w2 = w2 - lr * (X.T @ (expit(X @ w2) - y) / n + l2_factor * reg * w2)
    return w1, w2


def _logistic_data(rng, n, d, informative):
    X = rng.standard_normal((n, d))
    w = np.zeros(d)
    w[:informative] = rng.choice([-1, 1], size=informative) * rng.uniform(1.5, 2.5, size=informative)
    y = (rng.random(n) < expit(X @ w)).astype(np.float64)
    return X, y


def test_weights_match_proximal_gradient_and_gradient_descent(submission, rng):
    """w_l1 and w_l2 equal the test's own loops to 1e-6 (random reg, steps, lr); L1's zeros are exact zeros."""
    n, d = int(rng.integers(60, 120)), int(rng.integers(6, 12))
    X, y = _logistic_data(rng, n, d, 3)
    reg, steps, lr = float(rng.uniform(0.02, 0.08)), int(rng.integers(150, 300)), float(rng.uniform(0.1, 0.5))
    w1, w2 = submission.l1_vs_l2(X.copy(), y.copy(), reg, steps=steps, lr=lr)
    e1, e2 = _oracle(X, y, reg, steps, lr)
    assert_close(w1, e1, name="w_l1", rtol=1e-6, atol=1e-8, hints={
        "l1_threshold_by_reg": _oracle(X, y, reg, steps, lr, threshold=reg)[0],
        "l1_subgradient": _oracle(X, y, reg, steps, lr, subgradient=True)[0]})
    assert_close(w2, e2, name="w_l2", rtol=1e-6, atol=1e-8, hints={
        "l2_gradient_doubled": _oracle(X, y, reg, steps, lr, l2_factor=2.0)[1]})
    zeros = e1 == 0
    assert zeros.any(), "test data: expected some exact zeros in the oracle"  # the grader's own sanity check
    assert_close(np.asarray(w1)[zeros], np.zeros(int(zeros.sum())), name="w_l1 where soft-thresholding gives exactly 0", rtol=0, atol=0)


def test_defaults(submission, rng):
    """At the defaults (500 steps of 0.1), reg in [0.01, 0.05]: both weight vectors to 1e-6."""
    X, y = _logistic_data(rng, int(rng.integers(40, 80)), 5, 2)
    reg = float(rng.uniform(0.01, 0.05))
    w1, w2 = submission.l1_vs_l2(X.copy(), y.copy(), reg)
    e1, e2 = _oracle(X, y, reg, 500, 0.1)
    assert_close(w1, e1, name="w_l1 (500 steps of 0.1)", rtol=1e-6, atol=1e-8,
                 hints={"l1_threshold_by_reg": _oracle(X, y, reg, 500, 0.1, threshold=reg)[0]})
    assert_close(w2, e2, name="w_l2 (500 steps of 0.1)", rtol=1e-6, atol=1e-8)


@claim(task="l1_vs_l2", seeds=5)
def l1_zeroes_uninformative_weights(submission, seed):
    """On 200 samples with 3 informative and 7 uninformative features (reg 0.05), L1 sets at least half of the uninformative weights exactly to 0 and none of the informative ones; L2 sets none to 0."""
    rng = np.random.default_rng(seed)
    X, y = _logistic_data(rng, 200, 10, 3)
    w1, w2 = (np.asarray(w, dtype=np.float64) for w in submission.l1_vs_l2(X, y, 0.05))
    uninformative_zeros = int(np.sum(w1[3:] == 0))
    informative_zeros = int(np.sum(w1[:3] == 0))
    l2_zeros = int(np.sum(w2 == 0))
    holds = uninformative_zeros >= 4 and informative_zeros == 0 and l2_zeros == 0
    return Verdict(holds, f"L1: {uninformative_zeros}/7 uninformative and {informative_zeros}/3 informative weights exactly 0; "
                          f"L2: {l2_zeros}/10 exactly 0")


def test_claim_l1_is_sparse_l2_is_not(submission, rng):
    """Claim (5 seeds, majority): L1 zeroes the uninformative weights exactly, L2 zeroes none."""
    l1_zeroes_uninformative_weights.check(submission, rng)
