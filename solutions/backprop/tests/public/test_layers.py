"""Public tests: affine layer and activations on fixed inputs, compared with frozen reference values.

Inputs are passed as copies: your code may modify its arguments in place.
"""

import numpy as np
import pytest


def _inputs():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3, 5))
    w = rng.standard_normal((15, 6)) / 4
    b = rng.standard_normal(6)
    dout = rng.standard_normal((4, 6))
    a = rng.standard_normal((5, 7)) * 3
    da = rng.standard_normal((5, 7))
    return x, w, b, dout, a, da


@pytest.mark.task("affine")
def test_affine_forward(submission, frozen):
    """affine_forward on x of shape (4, 3, 5), w (15, 6)."""
    x, w, b, *_ = _inputs()
    out, _ = submission.affine_forward(x.copy(), w.copy(), b.copy())
    frozen.check("affine.out", out, hints={"forgot the bias b": x.reshape(4, -1) @ w})


@pytest.mark.task("affine")
def test_affine_backward(submission, frozen):
    """affine_backward: dx in x's shape (4, 3, 5), dw (15, 6), db (6,)."""
    x, w, b, dout, *_ = _inputs()
    _, cache = submission.affine_forward(x.copy(), w.copy(), b.copy())
    dx, dw, db = submission.affine_backward(dout.copy(), cache)
    frozen.check("affine.dx", dx)
    frozen.check("affine.dw", dw, hints={"computed dw as dout.T @ x_flat, the transpose of x_flat.T @ dout": dout.T @ x.reshape(4, -1)})
    frozen.check("affine.db", db, hints={"averaged dout over the batch instead of summing": dout.mean(axis=0)})


@pytest.mark.task("relu")
def test_relu(submission, frozen):
    """relu forward and backward."""
    *_, a, da = _inputs()
    out, cache = submission.relu_forward(a.copy())
    frozen.check("relu.out", out)
    frozen.check("relu.dx", submission.relu_backward(da.copy(), cache),
                 hints={"returned the local gradient (x > 0) without multiplying by dout": (a > 0) * 1.0,
                        "gated on the sign of dout instead of the sign of x": da * (da > 0)})


@pytest.mark.task("relu")
def test_leaky_relu(submission, frozen):
    """leaky_relu forward and backward, default slope and slope 0.2."""
    *_, a, da = _inputs()
    out, cache = submission.leaky_relu_forward(a.copy())
    frozen.check("leaky.out_default", out)
    frozen.check("leaky.dx_default", submission.leaky_relu_backward(da.copy(), cache))
    out, cache = submission.leaky_relu_forward(a.copy(), 0.2)
    frozen.check("leaky.out_02", out, hints={"ignored negative_slope": np.where(a > 0, a, 0.01 * a)})
    frozen.check("leaky.dx_02", submission.leaky_relu_backward(da.copy(), cache),
                 hints={"forgot to multiply by dout": np.where(a > 0, 1.0, 0.2)})


@pytest.mark.task("sigmoid_tanh")
def test_sigmoid(submission, frozen):
    """sigmoid forward and backward, including x = +-1000 (must be finite, no overflow)."""
    *_, a, da = _inputs()
    a = a.copy()
    a[0, :3] = [-1000.0, 1000.0, -745.0]
    out, cache = submission.sigmoid_forward(a.copy())
    frozen.check("sigmoid.out", out, atol=1e-15)
    frozen.check("sigmoid.dx", submission.sigmoid_backward(da.copy(), cache), atol=1e-15)


@pytest.mark.task("sigmoid_tanh")
def test_tanh(submission, frozen):
    """tanh forward and backward."""
    *_, a, da = _inputs()
    out, cache = submission.tanh_forward(a.copy())
    frozen.check("tanh.out", out)
    frozen.check("tanh.dx", submission.tanh_backward(da.copy(), cache),
                 hints={"used 1 - x**2 instead of 1 - tanh(x)**2": da * (1 - a**2)})


@pytest.mark.task("elu")
def test_elu(submission, frozen):
    """elu forward and backward, alpha = 1 and alpha = 0.5."""
    *_, a, da = _inputs()
    for alpha in (1.0, 0.5):
        out, cache = submission.elu_forward(a.copy(), alpha)
        frozen.check(f"elu.out_{alpha}", out, hints={"forgot the -1 in alpha * (exp(x) - 1)": np.where(a > 0, a, alpha * np.exp(a))})
        frozen.check(f"elu.dx_{alpha}", submission.elu_backward(da.copy(), cache),
                     hints={"used out instead of out + alpha as the derivative for x <= 0": np.where(a > 0, da, da * alpha * np.expm1(a))})
