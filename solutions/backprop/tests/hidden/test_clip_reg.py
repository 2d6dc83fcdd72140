"""Hidden tests: clip_grad_norm against torch.nn.utils.clip_grad_norm_; L1/L2 penalties against torch autograd.

The penalties return (loss, grads) together: the value and the gradients are tested apart,
and the gradient tests accept the gradient of the student's own (wrong) penalty
(check_loss_gradient), so one mistake costs once.
"""

import numpy as np
import pytest
from helpers import dict_result, global_norm, penalty_weights, random_grads, torch_clip, torch_penalty

from autograder.testing import assert_close, assert_scalar_close, check_loss_gradient, float32_tolerances

TIGHT = {"rtol": 1e-7, "atol": 1e-10}


def _clipped(submission, grads, max_norm):
    result = submission.clip_grad_norm({k: v.copy() for k, v in grads.items()}, max_norm)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise AssertionError("clip_grad_norm must return a pair (clipped_grads, total_norm)")
    clipped, total = result
    if not isinstance(clipped, dict) or set(clipped) != set(grads):
        raise AssertionError(f"clipped_grads must be a dict with the keys of grads ({sorted(grads)})")
    return clipped, total


def _check_clipped(submission, grads, max_norm, tolerances, note=""):
    expected, total = torch_clip(grads, max_norm)
    clipped, _ = _clipped(submission, grads, max_norm)
    for key, g in grads.items():
        g = np.asarray(g, dtype=np.float64)
        hints = {"clip_per_array": g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)),
                 "clip_coefficient_not_clamped": g * max_norm / (total + 1e-6),
                 "clip_without_epsilon": g * min(1.0, max_norm / total) if total > 0 else g}
        assert_close(clipped[key], expected[key], name=f"clipped_grads['{key}']{note}", hints=hints, **tolerances)


@pytest.mark.task("clip_grad")
def test_clip_total_norm(submission, rng):
    """total_norm: the L2 norm of all entries of all arrays, before clipping."""
    grads = random_grads(rng)
    max_norm = global_norm(grads) * float(rng.uniform(0.1, 0.6))
    _, total = _clipped(submission, grads, max_norm)
    assert_scalar_close(total, torch_clip(grads, max_norm)[1], name="total_norm (before clipping)", **TIGHT)


@pytest.mark.task("clip_grad")
def test_clip_above_max_norm(submission, rng):
    """global norm above max_norm: every array scaled by max_norm / (total_norm + 1e-6)."""
    grads = random_grads(rng)
    _check_clipped(submission, grads, global_norm(grads) * float(rng.uniform(0.1, 0.6)), TIGHT)


@pytest.mark.task("clip_grad")
def test_clip_below_max_norm(submission, rng):
    """global norm below max_norm: gradients unchanged (the coefficient is clamped to 1)."""
    grads = random_grads(rng)
    _check_clipped(submission, grads, global_norm(grads) * float(rng.uniform(1.5, 4.0)), TIGHT)


@pytest.mark.task("clip_grad")
def test_clip_single_array_tiny_max_norm(submission, rng):
    """a single gradient array clipped to a small max_norm."""
    grads = {"w": rng.standard_normal((int(rng.integers(5, 20)), int(rng.integers(5, 20)))) * 10}
    _check_clipped(submission, grads, float(rng.uniform(0.01, 0.1)), TIGHT)


@pytest.mark.task("clip_grad")
def test_clip_tiny_gradients(submission, rng):
    """gradients with a global norm of ~1e-6, where the +1e-6 of coef = max_norm / (total_norm + 1e-6) matters (API.md)."""
    grads = random_grads(rng)
    tiny_total = float(rng.uniform(1e-6, 4e-6))
    grads = {k: g * (tiny_total / global_norm(grads)) for k, g in grads.items()}
    _check_clipped(submission, grads, tiny_total * float(rng.uniform(0.2, 0.6)), {"rtol": 1e-7, "atol": 1e-16},
                   note=" (tiny gradients: coef = max_norm / (total_norm + 1e-6); here the 1e-6 matters)")


@pytest.mark.task("clip_grad")
def test_clip_zero_gradients(submission, rng):
    """all-zero gradients stay zero (and nothing divides by a zero norm)."""
    zeros = {k: np.zeros_like(g) for k, g in random_grads(rng).items()}
    _check_clipped(submission, zeros, float(rng.uniform(0.5, 2.0)), {"rtol": 1e-7, "atol": 1e-16})


@pytest.mark.task("clip_grad")
def test_clip_float32(submission, rng):
    """float32 gradients, at float32 tolerances."""
    grads = random_grads(rng, np.float32)
    _check_clipped(submission, grads, global_norm(grads) * 0.3, float32_tolerances)


# --------------------------------------------------------------------------- penalties


def _penalty(submission, kind, weights, reg):
    return dict_result(getattr(submission, f"{kind}_regularization")({k: v.copy() for k, v in weights.items()}, reg),
                       f"{kind}_regularization", weights)


def _check_value(submission, kind, weights, reg, tolerances):
    loss, _ = torch_penalty(weights, reg, kind)
    actual, _ = _penalty(submission, kind, weights, reg)
    hints = {"l2_penalty_without_half": 2 * loss} if kind == "l2" else {}
    assert_scalar_close(actual, loss, name=f"{kind} penalty", hints=hints, **tolerances)


def _check_gradient(submission, kind, weights, reg, tolerances):
    loss, grads = torch_penalty(weights, reg, kind)
    keys = list(weights)

    def call(*arrays):
        value, by_key = _penalty(submission, kind, dict(zip(keys, arrays)), reg)
        return value, tuple(by_key[k] for k in keys)

    hints = {f"grads['{k}']": ({"l1_gradient_is_reg_times_w": reg * np.asarray(w, dtype=np.float64)} if kind == "l1" else {})
             for k, w in weights.items()}
    check_loss_gradient(call, [weights[k] for k in keys], wrt=tuple(range(len(keys))), expected_loss=loss,
                        expected_grads=[grads[k] for k in keys], names=[f"grads['{k}']" for k in keys],
                        function=f"{kind}_regularization", value_tests=f"the {kind} penalty value tests", hints=hints, **tolerances)


@pytest.mark.task("regularization")
@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_penalty_value(submission, rng, kind):
    """L1 / L2 penalty value over several arrays."""
    _check_value(submission, kind, penalty_weights(rng), float(rng.uniform(0.01, 2.0)), TIGHT)


@pytest.mark.task("regularization")
@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_penalty_gradient(submission, rng, kind):
    """L1 / L2 penalty gradients over several arrays (no weight at 0, where API.md states no L1 gradient)."""
    _check_gradient(submission, kind, penalty_weights(rng), float(rng.uniform(0.01, 2.0)), TIGHT)


@pytest.mark.task("regularization")
@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_penalty_value_float32(submission, rng, kind):
    """L1 / L2 penalty value of one float32 array, at float32 tolerances."""
    weights = {"W": penalty_weights(rng)["W1"].astype(np.float32)}
    _check_value(submission, kind, weights, float(rng.uniform(0.01, 1.0)), float32_tolerances)


@pytest.mark.task("regularization")
@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_penalty_gradient_float32(submission, rng, kind):
    """L1 / L2 penalty gradient of one float32 array, at float32 tolerances."""
    weights = {"W": penalty_weights(rng)["W1"].astype(np.float32)}
    _check_gradient(submission, kind, weights, float(rng.uniform(0.01, 1.0)), float32_tolerances)
