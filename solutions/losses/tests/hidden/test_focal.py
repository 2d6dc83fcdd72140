"""Hidden tests: sigmoid focal loss against torchvision's formula (written out in torch); value and gradient apart."""

import numpy as np
import pytest
from helpers import check_gradient, check_value, tolerances

from autograder.testing.torch_oracles import torch_loss_and_grad
from autograder.testing.lazy_torch import F, torch

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


def _focal(x, t, alpha, gamma):
    return torch_loss_and_grad(lambda xx, tt: _torchvision_focal(xx, tt, alpha, gamma), x, t)


def _parts(x, t):
    x, t = np.asarray(x, dtype=np.float64), np.asarray(t, dtype=np.float64)
    s = np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))
    ce = -(t * (np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))) + (1 - t) * (np.minimum(-x, 0) - np.log1p(np.exp(-np.abs(x)))))
    p_t = s * t + (1 - s) * (1 - t)
    return s, ce, p_t, t


def _value_hints(x, t, alpha, gamma):
    """Losses of the alpha_t mistakes: alpha and 1 - alpha swapped, alpha < 0 applied anyway, alpha = 0 taken as 'disabled'."""
    _, ce, p_t, t = _parts(x, t)
    modulated = (1 - p_t) ** gamma * ce
    def weighted(a):
        return np.mean((a * t + (1 - a) * (1 - t)) * modulated)
    hints = {"focal_alpha_zero_disables": np.mean(modulated)} if alpha == 0 else {}
    if alpha >= 0:
        hints["focal_alpha_swapped"] = weighted(1 - alpha)
    else:
        hints["focal_alpha_applied_when_negative"] = weighted(alpha)
    return hints


def _gradient_hints(x, t, alpha, gamma):
    """The gradient with (1 - p_t) ** gamma treated as a constant."""
    s, _, p_t, t = _parts(x, t)
    weight = (1 - p_t) ** gamma * ((alpha * t + (1 - alpha) * (1 - t)) if alpha >= 0 else 1.0)
    return {"focal_modulator_treated_as_constant": weight * (s - t) / t.size}


def _problem(rng, scale=3.0, dtype=np.float64, shape=None):
    shape = (int(rng.integers(2, 30)), int(rng.integers(1, 8))) if shape is None else shape
    x = (rng.normal(size=shape) * scale).astype(dtype)
    t = (rng.random(shape) < 0.3).astype(dtype)
    t.flat[0], t.flat[-1] = 1.0, 0.0   # both classes present
    return x, t


def _value(submission, x, t, alpha=None, gamma=None, tol=None):
    """The loss value of focal_loss(x, t[, alpha=..., gamma=...]); None: the argument is omitted (default)."""
    kwargs = {k: v for k, v in (("alpha", alpha), ("gamma", gamma)) if v is not None}
    alpha, gamma = 0.25 if alpha is None else alpha, 2.0 if gamma is None else gamma
    check_value(submission, "focal_loss", (x, t), _focal(x, t, alpha, gamma)[0], tol or tolerances(x.dtype),
                hints=_value_hints(x, t, alpha, gamma), **kwargs)


def _gradient(submission, x, t, alpha=None, gamma=None, tol=None):
    """The gradient of focal_loss(x, t[, alpha=..., gamma=...]); None: the argument is omitted (default)."""
    kwargs = {k: v for k, v in (("alpha", alpha), ("gamma", gamma)) if v is not None}
    alpha, gamma = 0.25 if alpha is None else alpha, 2.0 if gamma is None else gamma
    loss, grad = _focal(x, t, alpha, gamma)
    check_gradient(submission, "focal_loss", (x, t), loss, grad, tol or tolerances(x.dtype), "dlogits",
                   hints=_gradient_hints(x, t, alpha, gamma), **kwargs)


def test_focal_value_defaults(submission, rng):
    """focal_loss value with alpha and gamma omitted: the defaults 0.25 and 2."""
    _value(submission, *_problem(rng))


def test_focal_gradient_defaults(submission, rng):
    """focal_loss gradient with alpha and gamma omitted."""
    _gradient(submission, *_problem(rng))


@pytest.mark.parametrize("gamma", [0.0, 1.0, 3.0])
def test_focal_value_gamma(submission, rng, gamma):
    """focal_loss value with alpha in (0, 1) and gamma in {0, 1, 3}."""
    _value(submission, *_problem(rng), alpha=float(rng.uniform(0.1, 0.9)), gamma=gamma)


@pytest.mark.parametrize("gamma", [0.0, 1.0, 3.0])
def test_focal_gradient_gamma(submission, rng, gamma):
    """focal_loss gradient with alpha in (0, 1) and gamma in {0, 1, 3}."""
    _gradient(submission, *_problem(rng), alpha=float(rng.uniform(0.1, 0.9)), gamma=gamma)


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_focal_value_alpha_bounds(submission, rng, alpha):
    """focal_loss value with alpha at the ends of [0, 1]: alpha = 0 weights positives by 0, it does not disable."""
    _value(submission, *_problem(rng), alpha=alpha, gamma=2.0)


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_focal_gradient_alpha_bounds(submission, rng, alpha):
    """focal_loss gradient with alpha at the ends of [0, 1]."""
    _gradient(submission, *_problem(rng), alpha=alpha, gamma=2.0)


@pytest.mark.parametrize("gamma", [1.5, 2.0])
def test_focal_value_alpha_disabled(submission, rng, gamma):
    """focal_loss value with alpha < 0: no alpha weighting at all."""
    _value(submission, *_problem(rng), alpha=-1.0, gamma=gamma)


@pytest.mark.parametrize("gamma", [1.5, 2.0])
def test_focal_gradient_alpha_disabled(submission, rng, gamma):
    """focal_loss gradient with alpha < 0."""
    _gradient(submission, *_problem(rng), alpha=-1.0, gamma=gamma)


def test_focal_value_large_logits(submission, rng):
    """focal_loss value for logits of magnitude 1e3: finite."""
    _value(submission, *_problem(rng, scale=1e3), alpha=0.25, gamma=2.0)


def test_focal_gradient_large_logits(submission, rng):
    """focal_loss gradient for logits of magnitude 1e3: finite."""
    _gradient(submission, *_problem(rng, scale=1e3), alpha=0.25, gamma=2.0)


@pytest.mark.parametrize("n", [None, 1])
def test_focal_value_1d(submission, rng, n):
    """focal_loss value on a 1-D input (and on a single element)."""
    _value(submission, *_problem(rng, shape=(int(rng.integers(2, 40)) if n is None else 1,)), alpha=0.4, gamma=2.0)


@pytest.mark.parametrize("n", [None, 1])
def test_focal_gradient_1d(submission, rng, n):
    """focal_loss gradient on a 1-D input (and on a single element)."""
    _gradient(submission, *_problem(rng, shape=(int(rng.integers(2, 40)) if n is None else 1,)), alpha=0.4, gamma=2.0)


def test_focal_value_float32(submission, rng):
    """focal_loss value on float32 inputs."""
    _value(submission, *_problem(rng, dtype=np.float32), alpha=0.25, gamma=2.0)


def test_focal_gradient_float32(submission, rng):
    """focal_loss gradient on float32 inputs."""
    _gradient(submission, *_problem(rng, dtype=np.float32), alpha=0.25, gamma=2.0)
