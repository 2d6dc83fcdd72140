"""Hidden tests: the affine layer against torch autograd; the backward through check_backward."""

import numpy as np
import pytest
from helpers import forward_pair, torch_affine

from autograder.testing import assert_close, check_backward, float32_tolerances
from autograder.testing.torch_oracles import torch_forward_backward

pytestmark = pytest.mark.task("affine")

TOLERANCES = {"rtol": 1e-7, "atol": 1e-9}


def _case(rng, shape_rest, n, m, dtype=np.float64):
    """``x (n, *shape_rest)``, ``w (D, m)``, ``b (m,)``, ``dout (n, m)``."""
    x = rng.standard_normal((n, *shape_rest)).astype(dtype)
    d = int(np.prod(shape_rest))
    w = (rng.standard_normal((d, m)) / np.sqrt(d)).astype(dtype)
    b = rng.standard_normal(m).astype(dtype)
    dout = rng.standard_normal((n, m)).astype(dtype)
    return x, w, b, dout


def _multidim(rng):
    shape_rest = tuple(int(s) for s in rng.integers(2, 5, size=int(rng.integers(2, 4))))
    return _case(rng, shape_rest, int(rng.integers(3, 8)), int(rng.integers(3, 9)))


def _check_forward(submission, x, w, b, tolerances):
    out, _ = torch_forward_backward(torch_affine, (x, w, b))
    actual, _ = forward_pair(submission.affine_forward(x.copy(), w.copy(), b.copy()), "affine_forward")
    assert_close(actual, out, name="out", hints={"affine_no_bias": out - np.asarray(b, dtype=np.float64)}, **tolerances)


def _check_backward(submission, x, w, b, dout, tolerances):
    out, grads = torch_forward_backward(torch_affine, (x, w, b), dout)
    x_flat = np.asarray(x, dtype=np.float64).reshape(x.shape[0], -1)
    dout64 = np.asarray(dout, dtype=np.float64)
    check_backward(submission, "affine_forward", "affine_backward", (x, w, b), dout, wrt=(0, 1, 2), expected_out=out,
                   expected_grads=grads, names=("dx", "dw", "db"), forward_task="affine", **tolerances,
                   hints={"dx": {"affine_dx_flattened": dout64 @ np.asarray(w, dtype=np.float64).T},
                          "dw": {"affine_dw_transposed": dout64.T @ x_flat},
                          "db": {"affine_db_averaged": dout64.mean(axis=0)}})


def test_affine_forward_multidim_input(submission, rng):
    """affine_forward flattens x of shape (N, d1, ..., dk) per example."""
    x, w, b, _ = _multidim(rng)
    _check_forward(submission, x, w, b, TOLERANCES)


def test_affine_forward_2d_batch_of_one(submission, rng):
    """affine_forward with a single example (N = 1) and 2-D x."""
    x, w, b, _ = _case(rng, (int(rng.integers(4, 12)),), 1, int(rng.integers(2, 7)))
    _check_forward(submission, x, w, b, TOLERANCES)


def test_affine_forward_float32(submission, rng):
    """affine_forward with float32 inputs, at float32 tolerances."""
    x, w, b, _ = _case(rng, (int(rng.integers(3, 6)), int(rng.integers(3, 6))), int(rng.integers(5, 12)), int(rng.integers(4, 10)),
                       dtype=np.float32)
    _check_forward(submission, x, w, b, float32_tolerances)


def test_affine_backward_multidim_input(submission, rng):
    """affine_backward: dx in x's shape (N, d1, ..., dk), dw (D, M), db (M,)."""
    x, w, b, dout = _multidim(rng)
    _check_backward(submission, x, w, b, dout, TOLERANCES)


def test_affine_backward_2d_batch_of_one(submission, rng):
    """affine_backward with a single example (N = 1) and 2-D x."""
    x, w, b, dout = _case(rng, (int(rng.integers(4, 12)),), 1, int(rng.integers(2, 7)))
    _check_backward(submission, x, w, b, dout, TOLERANCES)


def test_affine_backward_float32(submission, rng):
    """affine_backward with float32 inputs, at float32 tolerances."""
    x, w, b, dout = _case(rng, (int(rng.integers(3, 6)), int(rng.integers(3, 6))), int(rng.integers(5, 12)), int(rng.integers(4, 10)),
                          dtype=np.float32)
    _check_backward(submission, x, w, b, dout, float32_tolerances)
