"""Hidden tests: sigmoid focal loss against torchvision's formula (written out in torch)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.testing import assert_close, assert_scalar_close

pytestmark = pytest.mark.task("focal")


def _torchvision_focal(inputs, targets, alpha, gamma):
    """torchvision.ops.sigmoid_focal_loss(inputs, targets, alpha, gamma, reduction='mean')."""
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return loss.mean()


def _run(submission, oracle, x, t, tol, **kwargs):
    loss, dlogits = submission.focal_loss(x.copy(), t.copy(), **kwargs)
    alpha, gamma = kwargs.get("alpha", 0.25), kwargs.get("gamma", 2.0)
    expected_loss, expected_grad = oracle(lambda xx, tt: _torchvision_focal(xx, tt, alpha, gamma), x, t)
    assert_scalar_close(loss, expected_loss, name="loss", **tol)
    assert_close(dlogits, expected_grad, name="dlogits", **tol)


def _problem(rng, scale=3.0, dtype=np.float64, shape=None):
    shape = (int(rng.integers(2, 30)), int(rng.integers(1, 8))) if shape is None else shape
    x = (rng.normal(size=shape) * scale).astype(dtype)
    t = (rng.random(shape) < 0.3).astype(dtype)
    return x, t


def test_focal_defaults(submission, rng, oracle, tolerances):
    """focal_loss with the default alpha = 0.25, gamma = 2 (arguments omitted)."""
    x, t = _problem(rng)
    _run(submission, oracle, x, t, tolerances(np.float64))


@pytest.mark.parametrize("gamma", [0.0, 1.0, 3.0])
def test_focal_other_gamma(submission, rng, oracle, tolerances, gamma):
    """focal_loss with alpha in (0, 1) and gamma in {0, 1, 3}."""
    x, t = _problem(rng)
    alpha = float(rng.uniform(0.1, 0.9))
    _run(submission, oracle, x, t, tolerances(np.float64), alpha=alpha, gamma=gamma)


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_focal_alpha_bounds(submission, rng, oracle, tolerances, alpha):
    """focal_loss with alpha at the ends of [0, 1]: alpha = 0 still weights (positives by 0), it does not disable."""
    x, t = _problem(rng)
    t[0, 0], t[-1, -1] = 1.0, 0.0   # both classes present
    _run(submission, oracle, x, t, tolerances(np.float64), alpha=alpha, gamma=2.0)


@pytest.mark.parametrize("gamma", [1.5, 2.0])
def test_focal_alpha_disabled(submission, rng, oracle, tolerances, gamma):
    """focal_loss with alpha < 0: no alpha weighting at all."""
    x, t = _problem(rng)
    _run(submission, oracle, x, t, tolerances(np.float64), alpha=-1.0, gamma=gamma)


def test_focal_large_logits(submission, rng, oracle, tolerances):
    """focal_loss: logits of magnitude 1e3, finite loss and gradient."""
    x, t = _problem(rng, scale=1e3)
    _run(submission, oracle, x, t, tolerances(np.float64), alpha=0.25, gamma=2.0)


def test_focal_1d_batch_of_one(submission, rng, oracle, tolerances):
    """focal_loss on a 1-D input, and on a single element."""
    x, t = _problem(rng, shape=(int(rng.integers(2, 40)),))
    _run(submission, oracle, x, t, tolerances(np.float64), alpha=0.4, gamma=2.0)
    x, t = _problem(rng, shape=(1,))
    _run(submission, oracle, x, t, tolerances(np.float64), alpha=0.4, gamma=2.0)


def test_focal_float32(submission, rng, oracle, tolerances):
    """focal_loss on float32 inputs."""
    x, t = _problem(rng, dtype=np.float32)
    _run(submission, oracle, x, t, tolerances(np.float32), alpha=0.25, gamma=2.0)
