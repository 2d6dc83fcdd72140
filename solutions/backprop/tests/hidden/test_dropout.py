"""Hidden tests: inverted dropout (``p`` = probability of DROPPING, the torch convention).

A dropout output has no single right value: it depends on the mask the student's code
drew. The tests read the mask from the output (inputs have no zeros, so a zero means a
dropped unit) and check everything else against it. Backward passes go through
check_backward with the right answer given the student's draw, so a wrong forward is
charged to the forward's tests only.
"""

import numpy as np
import pytest
from helpers import array_like, dropout_dx_given_draw, dropout_out_given_draw, far_from_half, forward_pair, kept_units, nonzero_inputs

from autograder.testing import assert_close, assert_scalar_close, check_backward, float32_tolerances

pytestmark = pytest.mark.task("dropout")


def _seed(rng):
    return int(rng.integers(1, 1 << 30))


def _train(p, seed=None):
    return {"p": p, "mode": "train"} if seed is None else {"p": p, "mode": "train", "seed": seed}


def _output(submission, x, param):
    """The student's train-mode output as a float64 array of x's shape."""
    out, _ = forward_pair(submission.dropout_forward(x.copy(), dict(param)), "dropout_forward")
    return array_like(out, x, "out")


def _check_backward(submission, x, dout, param, **tolerances):
    p = param["p"]
    if param["mode"] == "train":  # the right answers given the mask the student's forward drew
        expected_out, expected_grads = dropout_out_given_draw(x, p), dropout_dx_given_draw(dout, p)
        dout64 = np.asarray(dout, dtype=np.float64)
        hints = {"dropout_backward_no_scale": lambda out: np.where(kept_units(out, dout64.shape), dout64, 0.0)}
    else:
        expected_out, expected_grads, hints = np.asarray(x, dtype=np.float64), (np.asarray(dout, dtype=np.float64),), {}
    check_backward(submission, "dropout_forward", "dropout_backward", (x, param), dout, wrt=(0,), expected_out=expected_out,
                   expected_grads=expected_grads, names=("dx",), forward_task="dropout", hints={"dx": hints}, **tolerances)


def test_train_keeps_one_minus_p_of_the_units(submission, rng):
    """train mode: about 1 - p of the units are kept (p is the DROP probability)."""
    p = far_from_half(rng)
    x = nonzero_inputs(rng, (200, 500))
    out = _output(submission, x, _train(p, _seed(rng)))
    assert_scalar_close(float(np.mean(out != 0)), 1 - p, name="fraction of units kept", rtol=0, atol=0.01,
                        hints={"dropout_keep_probability": p})


def test_train_scales_kept_units(submission, rng):
    """train mode: each output is 0 or x / (1 - p) (inverted dropout)."""
    p = far_from_half(rng)
    x = nonzero_inputs(rng, (int(rng.integers(20, 40)), int(rng.integers(20, 40))))
    out = _output(submission, x, _train(p, _seed(rng)))
    kept = out != 0
    assert_close(out, np.where(kept, x / (1 - p), 0.0), name="out",
                 hints={"dropout_no_inverted_scale": np.where(kept, x, 0.0), "dropout_keep_probability": np.where(kept, x / p, 0.0)})


def test_train_without_seed_multidim(submission, rng):
    """train mode on a 4-D input with no seed given: shape kept, outputs are 0 or x / (1 - p)."""
    p = far_from_half(rng)
    x = nonzero_inputs(rng, tuple(int(s) for s in rng.integers(3, 7, size=4)))
    out = _output(submission, x, _train(p))
    assert_close(out, np.where(out != 0, x / (1 - p), 0.0), name="out")


def test_backward_uses_the_forward_mask(submission, rng):
    """train mode backward: dx = dout * mask / (1 - p) with the forward pass's own mask."""
    p = far_from_half(rng)
    shape = (int(rng.integers(20, 40)), int(rng.integers(20, 40)))
    x = nonzero_inputs(rng, shape)
    _check_backward(submission, x, rng.standard_normal(shape), _train(p, _seed(rng)))


def test_backward_multidim(submission, rng):
    """train mode backward on a 4-D input."""
    p = far_from_half(rng)
    x = nonzero_inputs(rng, tuple(int(s) for s in rng.integers(3, 7, size=4)))
    _check_backward(submission, x, rng.standard_normal(x.shape), _train(p, _seed(rng)))


def test_same_seed_same_mask(submission, rng):
    """the same seed gives the same mask; another seed gives another mask."""
    p = float(rng.uniform(0.3, 0.7))
    x = nonzero_inputs(rng, (30, 40))
    seed = _seed(rng)
    out1 = _output(submission, x, _train(p, seed))
    out2 = _output(submission, x, _train(p, seed))
    assert_close((out2 != 0) * 1.0, (out1 != 0) * 1.0, name="mask of a second call with the same seed (1 = kept)", rtol=0, atol=0)
    out3 = _output(submission, x, _train(p, seed + 1))
    differing = float(np.mean((out1 != 0) != (out3 != 0)))
    assert_scalar_close(differing, 2 * p * (1 - p), name="fraction of mask entries that differ between two seeds", rtol=0, atol=0.1)


def test_seed_zero_is_a_seed(submission, rng):
    """seed = 0 is a seed like any other (not "no seed"): two calls with seed 0 give the same mask."""
    p = float(rng.uniform(0.3, 0.7))
    x = nonzero_inputs(rng, (30, 40))
    out1 = _output(submission, x, _train(p, 0))
    out2 = _output(submission, x, _train(p, 0))
    assert_close((out2 != 0) * 1.0, (out1 != 0) * 1.0, name="mask of a second call with seed=0 (1 = kept; test `seed is not None`, not `if seed:`)",
                 rtol=0, atol=0)


def test_test_mode_is_identity(submission, rng):
    """test mode: out = x, whatever p."""
    p = float(rng.uniform(0.2, 0.8))
    x = rng.standard_normal((int(rng.integers(5, 15)), int(rng.integers(5, 15))))
    out, _ = forward_pair(submission.dropout_forward(x.copy(), {"p": p, "mode": "test"}), "dropout_forward")
    assert_close(out, x, name="out", hints={"dropout_scaled_at_test_time": x * (1 - p)})


def test_test_mode_backward_is_identity(submission, rng):
    """test mode backward: dx = dout."""
    p = float(rng.uniform(0.2, 0.8))
    x = rng.standard_normal((int(rng.integers(5, 15)), int(rng.integers(5, 15))))
    _check_backward(submission, x, rng.standard_normal(x.shape), {"p": p, "mode": "test"})


def test_p_zero_keeps_everything(submission, rng):
    """train mode with p = 0 keeps every unit: out = x."""
    x = nonzero_inputs(rng, (17, 23))
    out, _ = forward_pair(submission.dropout_forward(x.copy(), _train(0.0, _seed(rng))), "dropout_forward")
    assert_close(out, x, name="out", hints={"dropout_keep_probability": np.zeros_like(x)})


def test_p_one_gives_zeros(submission, rng):
    """train mode with p = 1 drops every unit: zeros (API.md), not nan from 0/0."""
    x = nonzero_inputs(rng, (11, 19))
    out, _ = forward_pair(submission.dropout_forward(x.copy(), _train(1.0, _seed(rng))), "dropout_forward")
    assert_close(out, np.zeros_like(x), name="out",
                 hints={"dropout_keep_probability": x, "dropout_divides_by_zero_at_p_one": np.full(x.shape, np.nan)})


def test_p_one_backward_gives_zeros(submission, rng):
    """train mode backward with p = 1: dx = 0."""
    x = nonzero_inputs(rng, (11, 19))
    dout = rng.standard_normal(x.shape)
    check_backward(submission, "dropout_forward", "dropout_backward", (x, _train(1.0, _seed(rng))), dout, wrt=(0,),
                   expected_out=np.zeros_like(x), expected_grads=(np.zeros_like(x),), names=("dx",), forward_task="dropout")


def test_forward_float32(submission, rng):
    """train mode with float32 inputs, at float32 tolerances."""
    p = far_from_half(rng)
    x = nonzero_inputs(rng, (40, 50), np.float32)
    out = _output(submission, x, _train(p, _seed(rng)))
    assert_close(out, np.where(out != 0, x.astype(np.float64) / (1 - p), 0.0), name="out", **float32_tolerances)


def test_backward_float32(submission, rng):
    """train mode backward with float32 inputs, at float32 tolerances."""
    p = far_from_half(rng)
    x = nonzero_inputs(rng, (40, 50), np.float32)
    _check_backward(submission, x, rng.standard_normal(x.shape).astype(np.float32), _train(p, _seed(rng)), **float32_tolerances)
