"""Hidden tests: inverted dropout (p = probability of dropping, torch convention)."""

import numpy as np
import pytest

from autograder.testing import assert_close, assert_scalar_close, float32_tolerances

pytestmark = pytest.mark.task("dropout")


def _far_from_half(rng):
    """A drop probability clearly away from 0.5, so p and 1 - p cannot be confused."""
    p = float(rng.uniform(0.15, 0.35))
    return p if rng.random() < 0.5 else 1.0 - p


def _nonzero(rng, shape, dtype=np.float64):
    """Inputs with no (near-)zero entries: a zero in out then means a dropped unit."""
    x = rng.standard_normal(shape)
    return (np.sign(x) * (0.1 + np.abs(x))).astype(dtype)


def test_train_mask_values_and_kept_fraction(submission, rng):
    """train mode: each output is 0 or x/(1-p); about 1-p of the units are kept."""
    p = _far_from_half(rng)
    x = _nonzero(rng, (200, 500))
    out, _ = submission.dropout_forward(x.copy(), {"p": p, "mode": "train", "seed": int(rng.integers(1 << 30))})
    out = np.asarray(out)
    kept = out != 0
    assert_scalar_close(kept.mean(), 1 - p, name="fraction of units kept", rtol=0, atol=0.01,
                        hints={"used p as the probability of KEEPING a unit (here p is the drop probability)": p})
    assert_close(out, np.where(kept, x / (1 - p), 0.0), name="out",
                 hints={"forgot to scale the kept units by 1/(1-p) (inverted dropout)": np.where(kept, x, 0.0),
                        "scaled by (1-p) instead of 1/(1-p)": np.where(kept, x * (1 - p), 0.0),
                        "scaled by 1/p instead of 1/(1-p)": np.where(kept, x / p, 0.0)})


def test_backward_uses_the_forward_mask(submission, rng):
    """train mode backward: dx = dout * mask / (1-p) with the forward pass's own mask."""
    p = _far_from_half(rng)
    shape = (int(rng.integers(20, 40)), int(rng.integers(20, 40)))
    x = _nonzero(rng, shape)
    dout = rng.standard_normal(shape)
    out, cache = submission.dropout_forward(x.copy(), {"p": p, "mode": "train", "seed": int(rng.integers(1 << 30))})
    kept = np.asarray(out) != 0
    dx = submission.dropout_backward(dout.copy(), cache)
    assert_close(dx, np.where(kept, dout / (1 - p), 0.0), name="dx",
                 hints={"forgot the 1/(1-p) scale in the backward pass": np.where(kept, dout, 0.0)})


def test_multidim_without_seed(submission, rng):
    """train mode on a 4-D input, no seed given: shape kept, outputs are 0 or x/(1-p)."""
    p = _far_from_half(rng)
    shape = tuple(int(s) for s in rng.integers(3, 7, size=4))
    x = _nonzero(rng, shape)
    dout = rng.standard_normal(shape)
    out, cache = submission.dropout_forward(x.copy(), {"p": p, "mode": "train"})
    out = np.asarray(out)
    assert_close(out, np.where(out != 0, x / (1 - p), 0.0), name="out")
    dx = submission.dropout_backward(dout.copy(), cache)
    assert_close(dx, np.where(out != 0, dout / (1 - p), 0.0), name="dx")


def test_same_seed_same_mask(submission, rng):
    """the same seed gives the same mask; another seed gives another mask."""
    p = float(rng.uniform(0.3, 0.7))
    x = _nonzero(rng, (30, 40))
    seed = int(rng.integers(1 << 30))
    out1, _ = submission.dropout_forward(x.copy(), {"p": p, "mode": "train", "seed": seed})
    out2, _ = submission.dropout_forward(x.copy(), {"p": p, "mode": "train", "seed": seed})
    assert_close(out2, out1, name="out of a second call with the same seed", rtol=0, atol=0)
    out3, _ = submission.dropout_forward(x.copy(), {"p": p, "mode": "train", "seed": seed + 1})
    differing = float(np.mean((np.asarray(out1) != 0) != (np.asarray(out3) != 0)))
    assert_scalar_close(differing, 2 * p * (1 - p), name="fraction of mask entries that differ between two seeds",
                        rtol=0, atol=0.1)


def test_seed_zero_is_a_seed(submission, rng):
    """seed = 0 is a seed like any other (not "no seed"): two calls with seed 0 give the same mask."""
    p = float(rng.uniform(0.3, 0.7))
    x = _nonzero(rng, (30, 40))
    out1, _ = submission.dropout_forward(x.copy(), {"p": p, "mode": "train", "seed": 0})
    out2, _ = submission.dropout_forward(x.copy(), {"p": p, "mode": "train", "seed": 0})
    assert_close(out2, out1, name="out of a second call with seed=0 (test `seed is not None`, not `if seed:`)",
                 rtol=0, atol=0)


def test_test_mode_is_identity(submission, rng):
    """test mode: out = x and dx = dout, whatever p."""
    p = float(rng.uniform(0.2, 0.8))
    shape = (int(rng.integers(5, 15)), int(rng.integers(5, 15)))
    x = rng.standard_normal(shape)
    dout = rng.standard_normal(shape)
    out, cache = submission.dropout_forward(x.copy(), {"p": p, "mode": "test"})
    assert_close(out, x, name="out", hints={"scaled by (1-p) at test time (that is non-inverted dropout)": x * (1 - p)})
    assert_close(submission.dropout_backward(dout.copy(), cache), dout, name="dx")


def test_p_zero_is_identity_in_train_mode(submission, rng):
    """p = 0 keeps every unit: out = x, dx = dout."""
    x = _nonzero(rng, (17, 23))
    dout = rng.standard_normal(x.shape)
    out, cache = submission.dropout_forward(x.copy(), {"p": 0.0, "mode": "train", "seed": int(rng.integers(1 << 30))})
    assert_close(out, x, name="out")
    assert_close(submission.dropout_backward(dout.copy(), cache), dout, name="dx")


def test_p_one_gives_zeros(submission, rng):
    """p = 1 drops every unit: zeros (not nan from 0/0)."""
    x = _nonzero(rng, (11, 19))
    dout = rng.standard_normal(x.shape)
    out, cache = submission.dropout_forward(x.copy(), {"p": 1.0, "mode": "train", "seed": int(rng.integers(1 << 30))})
    assert_close(out, np.zeros_like(x), name="out")
    assert_close(submission.dropout_backward(dout.copy(), cache), np.zeros_like(x), name="dx")


def test_float32(submission, rng):
    """train mode with float32 inputs, at float32 tolerances."""
    p = _far_from_half(rng)
    x = _nonzero(rng, (40, 50), np.float32)
    dout = rng.standard_normal(x.shape).astype(np.float32)
    out, cache = submission.dropout_forward(x.copy(), {"p": p, "mode": "train", "seed": int(rng.integers(1 << 30))})
    kept = np.asarray(out) != 0
    assert_close(out, np.where(kept, x.astype(np.float64) / (1 - p), 0.0), name="out", **float32_tolerances)
    dx = submission.dropout_backward(dout.copy(), cache)
    assert_close(dx, np.where(kept, dout.astype(np.float64) / (1 - p), 0.0), name="dx", **float32_tolerances)
