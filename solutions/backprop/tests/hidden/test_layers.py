"""Hidden tests: affine, ReLU / Leaky ReLU, sigmoid / tanh, ELU against torch autograd."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.testing import assert_close, float32_tolerances


def _oracle_elementwise(fn, x, dout, leaf):
    xt = leaf(x)
    out = fn(xt)
    out.backward(torch.tensor(np.array(dout, dtype=np.float64)))
    return out.detach().numpy(), xt.grad.numpy()


# --------------------------------------------------------------------------- affine


def _affine_case(rng, leaf, shape_rest, n, m, dtype=np.float64):
    x = rng.standard_normal((n, *shape_rest)).astype(dtype)
    d = int(np.prod(shape_rest))
    w = (rng.standard_normal((d, m)) / np.sqrt(d)).astype(dtype)
    b = rng.standard_normal(m).astype(dtype)
    dout = rng.standard_normal((n, m)).astype(dtype)
    xt, wt, bt = leaf(x), leaf(w), leaf(b)
    out = xt.reshape(n, -1) @ wt + bt
    out.backward(torch.tensor(dout.astype(np.float64)))
    return (x, w, b, dout), (out.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy())


@pytest.mark.task("affine")
def test_affine_forward_multidim_input(submission, rng, leaf):
    """affine_forward flattens x of shape (N, d1, d2, d3) per example."""
    shape_rest = tuple(int(s) for s in rng.integers(2, 5, size=3))
    n, m = int(rng.integers(3, 8)), int(rng.integers(3, 9))
    (x, w, b, _), (out, *_rest) = _affine_case(rng, leaf, shape_rest, n, m)
    actual, _ = submission.affine_forward(x.copy(), w.copy(), b.copy())
    assert_close(actual, out, name="out", rtol=1e-7, atol=1e-9,
                 hints={"forgot to add the bias b": out - b})


@pytest.mark.task("affine")
def test_affine_backward_multidim_input(submission, rng, leaf):
    """affine_backward: dx has x's shape (N, d1, d2), dw (D, M), db (M,)."""
    shape_rest = tuple(int(s) for s in rng.integers(2, 6, size=2))
    n, m = int(rng.integers(3, 8)), int(rng.integers(3, 9))
    (x, w, b, dout), (_, dx, dw, db) = _affine_case(rng, leaf, shape_rest, n, m)
    _, cache = submission.affine_forward(x.copy(), w.copy(), b.copy())
    adx, adw, adb = submission.affine_backward(dout.copy(), cache)
    assert_close(adx, dx, name="dx", rtol=1e-7, atol=1e-9)
    assert_close(adw, dw, name="dw", rtol=1e-7, atol=1e-9)
    assert_close(adb, db, name="db", rtol=1e-7, atol=1e-9,
                 hints={"averaged dout over the batch instead of summing": dout.mean(axis=0)})


@pytest.mark.task("affine")
def test_affine_2d_batch_of_one(submission, rng, leaf):
    """affine layer with a single example (N = 1) and 2-D x."""
    d, m = int(rng.integers(4, 12)), int(rng.integers(2, 7))
    (x, w, b, dout), (out, dx, dw, db) = _affine_case(rng, leaf, (d,), 1, m)
    actual, cache = submission.affine_forward(x.copy(), w.copy(), b.copy())
    assert_close(actual, out, name="out", rtol=1e-7, atol=1e-9)
    adx, adw, adb = submission.affine_backward(dout.copy(), cache)
    assert_close(adx, dx, name="dx", rtol=1e-7, atol=1e-9)
    assert_close(adw, dw, name="dw", rtol=1e-7, atol=1e-9)
    assert_close(adb, db, name="db", rtol=1e-7, atol=1e-9)


@pytest.mark.task("affine")
def test_affine_float32(submission, rng, leaf):
    """affine layer with float32 inputs, at float32 tolerances."""
    shape_rest = (int(rng.integers(3, 6)), int(rng.integers(3, 6)))
    n, m = int(rng.integers(5, 12)), int(rng.integers(4, 10))
    (x, w, b, dout), (out, dx, dw, db) = _affine_case(rng, leaf, shape_rest, n, m, dtype=np.float32)
    actual, cache = submission.affine_forward(x, w, b)
    assert_close(actual, out, name="out", **float32_tolerances)
    adx, adw, adb = submission.affine_backward(dout, cache)
    assert_close(adx, dx, name="dx", **float32_tolerances)
    assert_close(adw, dw, name="dw", **float32_tolerances)
    assert_close(adb, db, name="db", **float32_tolerances)


# --------------------------------------------------------------------------- ReLU family


@pytest.mark.task("relu")
def test_relu_forward_backward(submission, rng, leaf, no_zeros):
    """relu forward and backward on a 3-D array (no exact zeros)."""
    shape = tuple(int(s) for s in rng.integers(2, 7, size=3))
    x = no_zeros(rng.standard_normal(shape) * 2)
    dout = rng.standard_normal(shape)
    out, dx = _oracle_elementwise(F.relu, x, dout, leaf)
    actual, cache = submission.relu_forward(x.copy())
    assert_close(actual, out, name="out")
    adx = submission.relu_backward(dout.copy(), cache)
    assert_close(adx, dx, name="dx", hints={"returned the local gradient without multiplying by dout": (x > 0) * 1.0})


@pytest.mark.task("relu")
def test_relu_large_magnitudes(submission, rng, leaf, no_zeros):
    """relu with inputs spanning many orders of magnitude."""
    x = no_zeros(rng.standard_normal((9, 13)) * 10.0 ** rng.integers(-3, 4, size=(9, 13)), margin=1e-4)
    dout = rng.standard_normal(x.shape)
    out, dx = _oracle_elementwise(F.relu, x, dout, leaf)
    actual, cache = submission.relu_forward(x.copy())
    assert_close(actual, out, name="out")
    assert_close(submission.relu_backward(dout.copy(), cache), dx, name="dx")


@pytest.mark.task("relu")
def test_leaky_relu_default_slope(submission, rng, leaf, no_zeros):
    """leaky_relu with the default negative_slope=0.01, against torch."""
    x = no_zeros(rng.standard_normal((int(rng.integers(3, 9)), int(rng.integers(3, 9)))) * 3)
    dout = rng.standard_normal(x.shape)
    out, dx = _oracle_elementwise(F.leaky_relu, x, dout, leaf)
    actual, cache = submission.leaky_relu_forward(x.copy())
    assert_close(actual, out, name="out")
    adx = submission.leaky_relu_backward(dout.copy(), cache)
    assert_close(adx, dx, name="dx",
                 hints={"returned the local gradient without multiplying by dout": np.where(x > 0, 1.0, 0.01)})


@pytest.mark.task("relu")
def test_leaky_relu_custom_slope(submission, rng, leaf, no_zeros):
    """leaky_relu with a random negative_slope, on a 4-D array."""
    slope = float(rng.uniform(0.05, 0.5))
    x = no_zeros(rng.standard_normal(tuple(int(s) for s in rng.integers(2, 5, size=4))) * 3)
    dout = rng.standard_normal(x.shape)
    out, dx = _oracle_elementwise(lambda t: F.leaky_relu(t, negative_slope=slope), x, dout, leaf)
    actual, cache = submission.leaky_relu_forward(x.copy(), slope)
    assert_close(actual, out, name="out", hints={"ignored negative_slope (used 0.01)": np.where(x > 0, x, 0.01 * x)})
    assert_close(submission.leaky_relu_backward(dout.copy(), cache), dx, name="dx")
    actual_kw, cache_kw = submission.leaky_relu_forward(x.copy(), negative_slope=slope)
    assert_close(actual_kw, out, name="out (negative_slope passed by keyword)")


@pytest.mark.task("relu")
def test_relu_family_float32(submission, rng, leaf, no_zeros):
    """relu and leaky_relu with float32 inputs, at float32 tolerances."""
    x = no_zeros(rng.standard_normal((12, 7)) * 3).astype(np.float32)
    dout = rng.standard_normal(x.shape).astype(np.float32)
    out, dx = _oracle_elementwise(F.relu, x, dout, leaf)
    actual, cache = submission.relu_forward(x.copy())
    assert_close(actual, out, name="relu out", **float32_tolerances)
    assert_close(submission.relu_backward(dout.copy(), cache), dx, name="relu dx", **float32_tolerances)
    out, dx = _oracle_elementwise(lambda t: F.leaky_relu(t, 0.1), x, dout, leaf)
    actual, cache = submission.leaky_relu_forward(x.copy(), 0.1)
    assert_close(actual, out, name="leaky out", **float32_tolerances)
    assert_close(submission.leaky_relu_backward(dout.copy(), cache), dx, name="leaky dx", **float32_tolerances)


# --------------------------------------------------------------------------- sigmoid, tanh


@pytest.mark.task("sigmoid_tanh")
def test_sigmoid_forward_backward(submission, rng, leaf):
    """sigmoid forward and backward on moderate inputs, against torch."""
    x = rng.standard_normal(tuple(int(s) for s in rng.integers(3, 8, size=2))) * 4
    dout = rng.standard_normal(x.shape)
    out, dx = _oracle_elementwise(torch.sigmoid, x, dout, leaf)
    actual, cache = submission.sigmoid_forward(x.copy())
    assert_close(actual, out, name="out")
    assert_close(submission.sigmoid_backward(dout.copy(), cache), dx, name="dx",
                 hints={"forgot to multiply by dout": out * (1 - out),
                        "used sigmoid(x) * (1 - x) instead of sigmoid(x) * (1 - sigmoid(x))": dout * out * (1 - x)})


@pytest.mark.task("sigmoid_tanh")
def test_sigmoid_extreme_inputs(submission, rng, leaf):
    """sigmoid for |x| up to 1e3: finite, exact 0/1 at the extremes, tiny values right."""
    fixed = np.array([-1000.0, -800.0, -745.0, -710.0, -700.0, -40.0, 40.0, 700.0, 710.0, 745.0, 800.0, 1000.0])
    x = np.concatenate([fixed, rng.uniform(-1000, 1000, size=20), rng.uniform(-30, 30, size=20)])
    rng.shuffle(x)
    x = x.reshape(4, 13)
    dout = rng.standard_normal(x.shape)
    out, dx = _oracle_elementwise(torch.sigmoid, x, dout, leaf)
    actual, cache = submission.sigmoid_forward(x.copy())
    assert_close(actual, out, name="out", rtol=1e-7, atol=1e-15)
    assert_close(submission.sigmoid_backward(dout.copy(), cache), dx, name="dx", rtol=1e-7, atol=1e-15)


@pytest.mark.task("sigmoid_tanh")
def test_sigmoid_raises_no_overflow_warnings(submission, rng):
    """sigmoid forward and backward for |x| up to 1e3 raise no overflow warnings (API.md: stable, no warnings)."""
    x = np.concatenate([rng.uniform(-1000, -710, size=8), rng.uniform(710, 1000, size=8), rng.standard_normal(8)])
    dout = rng.standard_normal(x.shape)
    _, cache = submission.sigmoid_forward(x.copy())
    overflow = [w for w in submission.last_warnings if "overflow" in w or "RuntimeWarning" in w]
    assert not overflow, (
        f"sigmoid_forward raised {overflow[0]!r}: exp(-x) overflows for very negative x; "
        "compute exp of a non-positive number only (split x >= 0 and x < 0)"
    )
    submission.sigmoid_backward(dout, cache)
    overflow = [w for w in submission.last_warnings if "overflow" in w or "RuntimeWarning" in w]
    assert not overflow, (
        f"sigmoid_backward raised {overflow[0]!r}: if it recomputes sigmoid(x), it must use the same stable "
        "formula as the forward pass (or reuse the forward's output from the cache)"
    )


@pytest.mark.task("sigmoid_tanh")
def test_tanh_forward_backward(submission, rng, leaf):
    """tanh forward and backward, including saturated inputs."""
    x = np.concatenate([rng.standard_normal(30) * 2, rng.uniform(-50, 50, size=10)]).reshape(5, 8)
    dout = rng.standard_normal(x.shape)
    out, dx = _oracle_elementwise(torch.tanh, x, dout, leaf)
    actual, cache = submission.tanh_forward(x.copy())
    assert_close(actual, out, name="out", rtol=1e-7, atol=1e-12)
    assert_close(submission.tanh_backward(dout.copy(), cache), dx, name="dx", rtol=1e-7, atol=1e-12,
                 hints={"used 1 - x**2 instead of 1 - tanh(x)**2": dout * (1 - x**2),
                        "forgot to multiply by dout": 1 - out**2})


@pytest.mark.task("sigmoid_tanh")
def test_sigmoid_tanh_4d(submission, rng, leaf):
    """sigmoid and tanh keep the shape of a 4-D input."""
    x = rng.standard_normal(tuple(int(s) for s in rng.integers(2, 5, size=4))) * 3
    dout = rng.standard_normal(x.shape)
    for name, fn in (("sigmoid", torch.sigmoid), ("tanh", torch.tanh)):
        out, dx = _oracle_elementwise(fn, x, dout, leaf)
        actual, cache = getattr(submission, f"{name}_forward")(x.copy())
        assert_close(actual, out, name=f"{name} out")
        assert_close(getattr(submission, f"{name}_backward")(dout.copy(), cache), dx, name=f"{name} dx")


@pytest.mark.task("sigmoid_tanh")
def test_sigmoid_tanh_float32(submission, rng, leaf):
    """sigmoid and tanh with float32 inputs (including large ones), at float32 tolerances."""
    x = np.concatenate([rng.standard_normal(40) * 3, rng.uniform(-200, 200, size=8)]).astype(np.float32).reshape(6, 8)
    dout = rng.standard_normal(x.shape).astype(np.float32)
    for name, fn in (("sigmoid", torch.sigmoid), ("tanh", torch.tanh)):
        out, dx = _oracle_elementwise(fn, x, dout, leaf)
        actual, cache = getattr(submission, f"{name}_forward")(x.copy())
        assert_close(actual, out, name=f"{name} out", **float32_tolerances)
        assert_close(getattr(submission, f"{name}_backward")(dout.copy(), cache), dx, name=f"{name} dx",
                     **float32_tolerances)


# --------------------------------------------------------------------------- ELU


@pytest.mark.task("elu")
def test_elu_default_alpha(submission, rng, leaf, no_zeros):
    """elu with the default alpha=1.0, against torch."""
    x = no_zeros(rng.standard_normal((int(rng.integers(3, 9)), int(rng.integers(3, 9)))) * 3)
    dout = rng.standard_normal(x.shape)
    out, dx = _oracle_elementwise(F.elu, x, dout, leaf)
    actual, cache = submission.elu_forward(x.copy())
    assert_close(actual, out, name="out", hints={"forgot the -1 in alpha * (exp(x) - 1)": np.where(x > 0, x, np.exp(x))})
    assert_close(submission.elu_backward(dout.copy(), cache), dx, name="dx",
                 hints={"used the ELU output itself as its derivative for x <= 0 (it is out + alpha)":
                        np.where(x > 0, dout, dout * out)})


@pytest.mark.task("elu")
def test_elu_custom_alpha(submission, rng, leaf, no_zeros):
    """elu with a random alpha, on a 3-D array."""
    alpha = float(rng.uniform(0.3, 2.5))
    x = no_zeros(rng.standard_normal(tuple(int(s) for s in rng.integers(2, 6, size=3))) * 3)
    dout = rng.standard_normal(x.shape)
    out, dx = _oracle_elementwise(lambda t: F.elu(t, alpha=alpha), x, dout, leaf)
    actual, cache = submission.elu_forward(x.copy(), alpha)
    assert_close(actual, out, name="out")
    assert_close(submission.elu_backward(dout.copy(), cache), dx, name="dx",
                 hints={"forgot alpha in the gradient for x <= 0": np.where(x > 0, dout, dout * np.exp(x))})
    actual_kw, _ = submission.elu_forward(x.copy(), alpha=alpha)
    assert_close(actual_kw, out, name="out (alpha passed by keyword)")


@pytest.mark.task("elu")
def test_elu_large_magnitudes(submission, rng, leaf):
    """elu for |x| up to 1e3: finite outputs and gradients."""
    x = np.concatenate([np.array([-1000.0, -750.0, 750.0, 1000.0]), rng.uniform(-1000, 1000, size=28)]).reshape(4, 8)
    dout = rng.standard_normal(x.shape)
    alpha = float(rng.uniform(0.5, 2.0))
    out, dx = _oracle_elementwise(lambda t: F.elu(t, alpha=alpha), x, dout, leaf)
    actual, cache = submission.elu_forward(x.copy(), alpha)
    assert_close(actual, out, name="out")
    assert_close(submission.elu_backward(dout.copy(), cache), dx, name="dx", atol=1e-12)


@pytest.mark.task("elu")
def test_elu_float32(submission, rng, leaf, no_zeros):
    """elu with float32 inputs, at float32 tolerances."""
    x = no_zeros(rng.standard_normal((10, 6)) * 3).astype(np.float32)
    dout = rng.standard_normal(x.shape).astype(np.float32)
    out, dx = _oracle_elementwise(lambda t: F.elu(t, alpha=0.7), x, dout, leaf)
    actual, cache = submission.elu_forward(x.copy(), 0.7)
    assert_close(actual, out, name="out", **float32_tolerances)
    assert_close(submission.elu_backward(dout.copy(), cache), dx, name="dx", **float32_tolerances)
