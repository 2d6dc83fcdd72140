"""Hidden tests: two_layer_net_loss against a torch autograd oracle.

One bug costs once: the loss value and the gradients are tested apart; a gradient that
is the gradient of the student's own (wrong) loss passes with a note (check_loss_gradient);
and a net that is right given the student's OWN affine and ReLU layers passes with a
note when those layers are wrong, since their tasks already lose the points
(helpers.net_through_student_layers).
"""

import numpy as np
import pytest
from helpers import NET_KEYS, check_net_gradients, check_net_value, dict_result, net_case, torch_net, unstable_net_loss

from autograder.testing import float32_tolerances

pytestmark = pytest.mark.task("two_layer_net")

TOLERANCES = {"rtol": 1e-6, "atol": 1e-9}


def _sizes(rng, n_low=5):
    n, d, h, c = (int(v) for v in rng.integers([n_low, 5, 6, 3], [15, 15, 20, 8]))
    return n, d, h, c


def _loss(submission, params, X, y, reg):
    result = submission.two_layer_net_loss({k: v.copy() for k, v in params.items()}, X.copy(), y.copy(), reg)
    return dict_result(result, "two_layer_net_loss", NET_KEYS)[0]


def _check_loss(submission, params, X, y, reg, tolerances, large=False):
    reference = torch_net(params, X, y, reg)
    W1, W2 = (params[k].astype(np.float64) for k in ("W1", "W2"))
    penalty = np.sum(W1**2) + np.sum(W2**2)
    hints = {"net_l2_penalty_without_half": reference["data_loss"] + reg * penalty}
    if large:
        hints["net_softmax_no_max_shift"] = unstable_net_loss(params, X, y, reg)[0]
    check_net_value(submission, params, X, y, reg, tolerances, "loss", _loss(submission, params, X, y, reg), hints=hints)


def _check_grads(submission, params, X, y, reg, tolerances, large=False):
    reference = torch_net(params, X, y, reg)
    n = X.shape[0]
    hints = {}
    for key in NET_KEYS:
        penalty_grad = reg * params[key].astype(np.float64) if key in ("W1", "W2") else 0.0
        hints[f"grads['{key}']"] = {"net_gradient_missing_one_over_n": n * (reference["grads"][key] - penalty_grad) + penalty_grad}
        if large:
            hints[f"grads['{key}']"]["net_softmax_no_max_shift"] = unstable_net_loss(params, X, y, reg)[1][key]
    check_net_gradients(submission, params, X, y, reg, tolerances, hints=hints)


def test_scores_when_y_is_none(submission, rng):
    """y=None returns the class scores (N, C), before any softmax."""
    n, d, h, c = _sizes(rng, n_low=4)
    params, X, _ = net_case(rng, n, d, h, c)
    scores = submission.two_layer_net_loss({k: v.copy() for k, v in params.items()}, X.copy())
    check_net_value(submission, params, X, None, 0.0, {"rtol": 1e-7, "atol": 1e-10}, "scores", scores)


def test_loss_without_reg(submission, rng):
    """the loss with reg = 0: the mean softmax cross-entropy."""
    params, X, y = net_case(rng, *_sizes(rng))
    _check_loss(submission, params, X, y, 0.0, TOLERANCES)


def test_loss_with_reg(submission, rng):
    """the loss with an L2 penalty 0.5 * reg * (|W1|^2 + |W2|^2)."""
    params, X, y = net_case(rng, *_sizes(rng))
    _check_loss(submission, params, X, y, float(rng.uniform(0.05, 1.0)), TOLERANCES)


def test_grads_without_reg(submission, rng):
    """the four gradients with reg = 0."""
    params, X, y = net_case(rng, *_sizes(rng))
    _check_grads(submission, params, X, y, 0.0, TOLERANCES)


def test_grads_with_reg(submission, rng):
    """the four gradients with an L2 penalty (biases not regularised)."""
    params, X, y = net_case(rng, *_sizes(rng))
    _check_grads(submission, params, X, y, float(rng.uniform(0.05, 1.0)), TOLERANCES)


def _one_example(rng):
    d, h, c = (int(v) for v in rng.integers([3, 4, 2], [10, 12, 7]))
    return net_case(rng, 1, d, h, c)


def test_loss_batch_of_one(submission, rng):
    """the loss of a single example (N = 1), with reg."""
    params, X, y = _one_example(rng)
    _check_loss(submission, params, X, y, float(rng.uniform(0.05, 0.5)), TOLERANCES)


def test_grads_batch_of_one(submission, rng):
    """the gradients of a single example (N = 1), with reg."""
    params, X, y = _one_example(rng)
    _check_grads(submission, params, X, y, float(rng.uniform(0.05, 0.5)), TOLERANCES)


def _large_scores(rng):
    """Scores around +-1e3 (a large common offset in b2): a softmax must subtract the row maximum."""
    n, d, h, c = (int(v) for v in rng.integers([5, 5, 6, 3], [12, 12, 16, 8]))
    params, X, y = net_case(rng, n, d, h, c, scale=3.0)
    params["b2"] = params["b2"] + float(rng.choice([-1.0, 1.0]) * rng.uniform(750, 1000))
    return params, X, y


def test_loss_large_scores(submission, rng):
    """the loss with scores around +-1e3 (stable softmax)."""
    params, X, y = _large_scores(rng)
    _check_loss(submission, params, X, y, float(rng.uniform(0.0, 0.5)), TOLERANCES, large=True)


def test_grads_large_scores(submission, rng):
    """the gradients with scores around +-1e3 (stable softmax)."""
    params, X, y = _large_scores(rng)
    _check_grads(submission, params, X, y, float(rng.uniform(0.0, 0.5)), TOLERANCES, large=True)


def _float32_case(rng):
    n, d, h, c = (int(v) for v in rng.integers([6, 5, 6, 3], [15, 15, 20, 8]))
    return net_case(rng, n, d, h, c, dtype=np.float32)


def test_loss_float32(submission, rng):
    """the loss with float32 parameters and inputs, at float32 tolerances."""
    params, X, y = _float32_case(rng)
    _check_loss(submission, params, X, y, 0.1, float32_tolerances)


def test_grads_float32(submission, rng):
    """the gradients with float32 parameters and inputs, at float32 tolerances."""
    params, X, y = _float32_case(rng)
    _check_grads(submission, params, X, y, 0.1, float32_tolerances)
