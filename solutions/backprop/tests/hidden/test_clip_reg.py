"""Hidden tests: clip_grad_norm against torch.nn.utils.clip_grad_norm_, L1/L2 penalties against autograd."""

import numpy as np
import pytest
import torch

from autograder.testing import assert_close, assert_scalar_close, float32_tolerances


def _random_grads(rng, dtype=np.float64):
    shapes = [(int(rng.integers(2, 8)), int(rng.integers(2, 8))), (int(rng.integers(2, 10)),),
              tuple(int(s) for s in rng.integers(2, 5, size=4))]
    names = ["W1", "b1", "conv_w"]
    if rng.random() < 0.5:
        shapes.append((1,))
        names.append("scale")
    return {n: rng.standard_normal(s).astype(dtype) for n, s in zip(names, shapes)}


def _torch_clip(grads, max_norm):
    params = []
    for g in grads.values():
        p = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        p.grad = torch.tensor(np.array(g, dtype=np.float64))
        params.append(p)
    total = float(torch.nn.utils.clip_grad_norm_(params, max_norm))
    return {n: p.grad.numpy() for n, p in zip(grads, params)}, total


def _check_clip(submission, grads, max_norm, tol, note=""):
    expected, total = _torch_clip(grads, max_norm)
    clipped, actual_total = submission.clip_grad_norm({k: v.copy() for k, v in grads.items()}, max_norm)
    assert_scalar_close(actual_total, total, name="total_norm (before clipping)", **tol)
    if not isinstance(clipped, dict) or set(clipped) != set(grads):
        assert_scalar_close(float("nan"), 0.0, name="clipped_grads must be a dict with the same keys as grads")
    norms = {k: np.linalg.norm(v) for k, v in grads.items()}
    for key in grads:
        hints = {"clipped each array by its own norm instead of the global norm":
                 grads[key] * min(1.0, max_norm / (norms[key] + 1e-6)),
                 "scaled gradients UP when the norm is below max_norm (clamp the coefficient to 1)":
                 grads[key] * max_norm / (total + 1e-6),
                 "left out the 1e-6 in max_norm / (total_norm + 1e-6)":
                 grads[key] * min(1.0, max_norm / total) if total > 0 else grads[key]}
        assert_close(clipped[key], expected[key], name=f"clipped_grads['{key}']{note}", **tol,
                     hints=_distinct(hints, expected[key], tol))


def _distinct(hints, expected, tol):
    """The hints whose value differs from the expected one: a hint equal to it would name any near miss."""
    rtol, atol = max(tol["rtol"], 1e-5), max(tol["atol"], 1e-7)  # the tolerance assert_close matches hints with
    return {k: v for k, v in hints.items()
            if not np.allclose(np.asarray(v, dtype=np.float64), expected, rtol=rtol, atol=atol)}


@pytest.mark.task("clip_grad")
def test_clip_above_max_norm(submission, rng):
    """global norm above max_norm: every array scaled by max_norm/(total_norm+1e-6)."""
    grads = _random_grads(rng)
    total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    _check_clip(submission, grads, float(total * rng.uniform(0.1, 0.6)), {"rtol": 1e-7, "atol": 1e-10})


@pytest.mark.task("clip_grad")
def test_clip_below_max_norm(submission, rng):
    """global norm below max_norm: gradients unchanged, total_norm still returned."""
    grads = _random_grads(rng)
    total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    _check_clip(submission, grads, float(total * rng.uniform(1.5, 4.0)), {"rtol": 1e-7, "atol": 1e-10})


@pytest.mark.task("clip_grad")
def test_clip_single_array_tiny_max_norm(submission, rng):
    """a single gradient array clipped to a small max_norm."""
    grads = {"w": rng.standard_normal((int(rng.integers(5, 20)), int(rng.integers(5, 20)))) * 10}
    _check_clip(submission, grads, float(rng.uniform(0.01, 0.1)), {"rtol": 1e-7, "atol": 1e-10})


@pytest.mark.task("clip_grad")
def test_clip_tiny_and_zero_gradients(submission, rng):
    """tiny gradients (global norm ~1e-6, where the +1e-6 in the coefficient matters), and all-zero gradients."""
    grads = _random_grads(rng)
    total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    tiny_total = float(rng.uniform(1e-6, 4e-6))
    grads = {k: g * (tiny_total / total) for k, g in grads.items()}
    _check_clip(submission, grads, tiny_total * float(rng.uniform(0.2, 0.6)), {"rtol": 1e-7, "atol": 1e-16},
                note=" (tiny gradients: coef = max_norm / (total_norm + 1e-6); here the 1e-6 matters)")
    zeros = {k: np.zeros_like(g) for k, g in grads.items()}
    _check_clip(submission, zeros, float(rng.uniform(0.5, 2.0)), {"rtol": 1e-7, "atol": 1e-16},
                note=" (all-zero gradients stay zero)")


@pytest.mark.task("clip_grad")
def test_clip_float32(submission, rng):
    """float32 gradients, at float32 tolerances."""
    grads = _random_grads(rng, np.float32)
    total = np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads.values()))
    _check_clip(submission, grads, float(total * 0.3), float32_tolerances)


def _torch_penalty(weights, reg, kind):
    leaves = {k: torch.tensor(np.array(v, dtype=np.float64), requires_grad=True) for k, v in weights.items()}
    if kind == "l1":
        loss = reg * sum(t.abs().sum() for t in leaves.values())
    else:
        loss = 0.5 * reg * sum((t**2).sum() for t in leaves.values())
    loss.backward()
    return float(loss.detach()), {k: t.grad.numpy() for k, t in leaves.items()}


def _weights(rng, dtype=np.float64):
    weights = _random_grads(rng, dtype)
    return {k: np.where(np.abs(v) < 1e-3, 1e-3, v).astype(dtype) for k, v in weights.items()}  # no exact zeros


def _check_penalty(submission, weights, reg, kind, tol):
    loss, grads = _torch_penalty(weights, reg, kind)
    fn = getattr(submission, f"{kind}_regularization")
    actual_loss, actual_grads = fn({k: v.copy() for k, v in weights.items()}, reg)
    hints = ({"forgot the factor 0.5": 2 * loss, "forgot reg": loss / reg} if kind == "l2"
             else {"used the squared weights (that is L2)": reg * sum(np.sum(w.astype(np.float64) ** 2) for w in weights.values()),
                   "forgot reg": loss / reg})
    assert_scalar_close(actual_loss, loss, name=f"{kind} loss", hints=hints, **tol)
    if not isinstance(actual_grads, dict) or set(actual_grads) != set(weights):
        assert_scalar_close(float("nan"), 0.0, name="grads must be a dict with the same keys as weights")
    for key in weights:
        w = weights[key].astype(np.float64)
        assert_close(actual_grads[key], grads[key], name=f"grads['{key}']", **tol,
                     hints={"used reg * w (the L2 gradient) for L1; it is reg * sign(w)": reg * w,
                            "used reg * sign(w) (the L1 gradient) for L2; it is reg * w": reg * np.sign(w),
                            "used 2 * reg * w; with the 0.5 in the loss the gradient is reg * w": 2 * reg * w})


@pytest.mark.task("regularization")
@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_penalty_loss_and_grads(submission, rng, kind):
    """L1 / L2 penalty and gradient over several arrays, against torch autograd."""
    _check_penalty(submission, _weights(rng), float(rng.uniform(0.01, 2.0)), kind, {"rtol": 1e-7, "atol": 1e-10})


@pytest.mark.task("regularization")
@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_penalty_single_array_float32(submission, rng, kind):
    """L1 / L2 penalty of one float32 array, at float32 tolerances."""
    weights = {"W": np.where(np.abs(w := rng.standard_normal((30, 20))) < 1e-3, 1e-3, w).astype(np.float32)}
    _check_penalty(submission, weights, float(rng.uniform(0.01, 1.0)), kind, float32_tolerances)
