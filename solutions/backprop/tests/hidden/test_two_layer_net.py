"""Hidden tests: two_layer_net_loss against a torch autograd oracle."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.testing import assert_close, assert_scalar_close, float32_tolerances

pytestmark = pytest.mark.task("two_layer_net")

KEYS = ("W1", "b1", "W2", "b2")


def _case(rng, n, d, h, c, scale=1.0, dtype=np.float64):
    params = {"W1": rng.standard_normal((d, h)) / np.sqrt(d), "b1": rng.standard_normal(h) * 0.1,
              "W2": rng.standard_normal((h, c)) / np.sqrt(h), "b2": rng.standard_normal(c) * 0.1}
    params = {k: v.astype(dtype) for k, v in params.items()}
    X = (rng.standard_normal((n, d)) * scale).astype(dtype)
    y = rng.integers(0, c, size=n)
    return params, X, y


def _oracle(params, X, y, reg):
    t = {k: torch.tensor(np.array(v, dtype=np.float64), requires_grad=True) for k, v in params.items()}
    Xt = torch.tensor(np.array(X, dtype=np.float64))
    scores = torch.relu(Xt @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]
    if y is None:
        return scores.detach().numpy()
    data = F.cross_entropy(scores, torch.tensor(y, dtype=torch.long))
    loss = data + 0.5 * reg * ((t["W1"] ** 2).sum() + (t["W2"] ** 2).sum())
    loss.backward()
    return float(loss.detach()), float(data.detach()), {k: v.grad.numpy() for k, v in t.items()}


def _check(submission, params, X, y, reg, tol):
    loss, data_loss, grads = _oracle(params, X, y, reg)
    W1, W2 = (params[k].astype(np.float64) for k in ("W1", "W2"))
    result = submission.two_layer_net_loss({k: v.copy() for k, v in params.items()}, X.copy(), y.copy(), reg)
    actual_loss, actual_grads = result
    penalty = np.sum(W1**2) + np.sum(W2**2)
    assert_scalar_close(actual_loss, loss, name="loss", **tol,
                        hints={"forgot the 0.5 in the L2 penalty": data_loss + reg * penalty,
                               "forgot the L2 penalty": data_loss,
                               "summed the cross-entropy over the batch instead of averaging": data_loss * len(y)
                               + 0.5 * reg * penalty})
    if not isinstance(actual_grads, dict) or set(actual_grads) != set(KEYS):
        assert_scalar_close(float("nan"), 0.0, name="grads must be a dict with keys W1, b1, W2, b2")
    for key in KEYS:
        hints = {}
        if key in ("W1", "W2") and reg:
            w = params[key].astype(np.float64)
            hints = {"forgot the regularisation gradient reg * W": grads[key] - reg * w,
                     "used 2 * reg * W as the regularisation gradient": grads[key] + reg * w}
        if key in ("b1", "b2") and reg:
            hints = {"regularised the biases too": grads[key] + reg * params[key].astype(np.float64)}
        assert_close(actual_grads[key], grads[key], name=f"grads['{key}']", hints=hints, **tol)


def test_scores_when_y_is_none(submission, rng):
    """y=None returns the class scores (N, C), before any softmax."""
    n, d, h, c = (int(v) for v in rng.integers([4, 5, 6, 3], [12, 15, 20, 8]))
    params, X, _ = _case(rng, n, d, h, c)
    scores = submission.two_layer_net_loss({k: v.copy() for k, v in params.items()}, X.copy())
    assert_close(scores, _oracle(params, X, None, 0.0), name="scores", rtol=1e-7, atol=1e-10)


def test_loss_and_grads_without_reg(submission, rng):
    """loss and all four gradients with reg = 0."""
    n, d, h, c = (int(v) for v in rng.integers([5, 5, 6, 3], [15, 15, 20, 8]))
    params, X, y = _case(rng, n, d, h, c)
    _check(submission, params, X, y, 0.0, {"rtol": 1e-6, "atol": 1e-9})


def test_loss_and_grads_with_reg(submission, rng):
    """loss and gradients with an L2 penalty 0.5 * reg * (|W1|^2 + |W2|^2)."""
    n, d, h, c = (int(v) for v in rng.integers([5, 5, 6, 3], [15, 15, 20, 8]))
    params, X, y = _case(rng, n, d, h, c)
    _check(submission, params, X, y, float(rng.uniform(0.05, 1.0)), {"rtol": 1e-6, "atol": 1e-9})


def test_batch_of_one(submission, rng):
    """a single example (N = 1), with reg."""
    d, h, c = (int(v) for v in rng.integers([3, 4, 2], [10, 12, 7]))
    params, X, y = _case(rng, 1, d, h, c)
    _check(submission, params, X, y, float(rng.uniform(0.05, 0.5)), {"rtol": 1e-6, "atol": 1e-9})


def test_large_scores_are_stable(submission, rng):
    """scores around +-1e3 (a large common offset): the softmax must subtract the row maximum."""
    n, d, h, c = (int(v) for v in rng.integers([5, 5, 6, 3], [12, 12, 16, 8]))
    params, X, y = _case(rng, n, d, h, c, scale=3.0)
    params["b2"] = params["b2"] + float(rng.choice([-1.0, 1.0]) * rng.uniform(750, 1000))
    _check(submission, params, X, y, float(rng.uniform(0.0, 0.5)), {"rtol": 1e-6, "atol": 1e-9})


def test_float32(submission, rng):
    """float32 parameters and inputs, at float32 tolerances."""
    n, d, h, c = (int(v) for v in rng.integers([6, 5, 6, 3], [15, 15, 20, 8]))
    params, X, y = _case(rng, n, d, h, c, dtype=np.float32)
    _check(submission, params, X, y, 0.1, float32_tolerances)
