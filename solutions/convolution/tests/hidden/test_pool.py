"""Hidden tests: max and average pooling against torch.nn.functional.max_pool2d / avg_pool2d (float64).

Backward tests go through check_backward (the cache comes from the student's forward; a wrong
forward costs the forward tests). API.md fixes where tied maxima send the gradient (the first
maximum in row-major window order): test_max_pool_backward_ties checks exactly that rule.
"""

import numpy as np
import pytest

from autograder.testing import assert_close, check_backward, float32_tolerances

from helpers import max_pool_routed_gradient, pool2d

TOLERANCES = {np.dtype(np.float64): {"rtol": 1e-6, "atol": 1e-8}, np.dtype(np.float32): float32_tolerances}


def _x(rng, ph, pw, stride, N=None, dtype=np.float64, ties=False, tiles=None):
    """A random non-square batch with at least one window; ties=True draws from {0, 1, 2} (many tied maxima).

    tiles=True: H and W are multiples of the window (where a reshape fast path applies, if stride == window);
    tiles=False: they are not both multiples (the general path of a submission with a fast path)."""
    N = N or int(rng.integers(2, 4))
    C = int(rng.integers(1, 4))
    while True:
        H, W = int(rng.integers(max(ph, 4), 11)), int(rng.integers(max(pw, 4), 11))
        divides = H % ph == 0 and W % pw == 0
        if H != W and (tiles is None or tiles == divides):
            break
    shape = (N, C, H, W)
    x = rng.integers(0, 3, size=shape).astype(dtype) if ties else rng.standard_normal(shape).astype(dtype)
    if ties and ph >= 2 and pw >= 2:
        # one window per image whose maximum ties at (0, 1) and (1, 0) but not at (0, 0): the first maximum in
        # row-major order is (0, 1); column-major order or the last maximum would pick (1, 0)
        i = int(rng.integers(0, (H - ph) // stride + 1)) * stride
        j = int(rng.integers(0, (W - pw) // stride + 1)) * stride
        window = np.zeros((ph, pw), dtype=dtype)
        window[0, 1] = window[1, 0] = 2
        x[:, :, i:i + ph, j:j + pw] = window
    return x


def _param(ph, pw, stride):
    return {"pool_height": ph, "pool_width": pw, "stride": stride}


def _check_forward(submission, kind, x, ph, pw, stride, label):
    expected, _ = pool2d(kind, x, ph, pw, stride)
    out, _ = getattr(submission, f"{kind}_pool_forward")(x.copy(), _param(ph, pw, stride))
    assert_close(out, expected, name=f"out{label}", **TOLERANCES[x.dtype])


def _max_hints(x, dout, ph, pw, stride):
    return {"dx": {rule_hint: max_pool_routed_gradient(x, dout, ph, pw, stride, rule)
                   for rule, rule_hint in (("all", "all_tied_maxima"), ("last", "last_tied_maximum"),
                                           ("column", "column_major_ties"), ("overwrite", "overwrote_overlaps"))}}


def _check_backward(submission, rng, kind, x, ph, pw, stride, *, dout=None, expected_dx=None, exact=False):
    """Grade {kind}_pool_backward through {kind}_pool_forward (task max_pool / avg_pool).

    dout: the upstream gradient (default: standard normal); expected_dx: the reference dx (default: torch's);
    exact: compare dx with no tolerance (integer gradients routed by the stated rule sum exactly)."""
    out, _ = pool2d(kind, x, ph, pw, stride)
    if dout is None:
        dout = rng.standard_normal(out.shape).astype(x.dtype)
    if expected_dx is None:
        _, (expected_dx,) = pool2d(kind, x, ph, pw, stride, dout)
    if kind == "max":
        hints = _max_hints(x, dout, ph, pw, stride)
    else:
        hints = {"dx": {"forgot_window_division": expected_dx * ph * pw}}
    tolerance = {"rtol": 0.0, "atol": 0.0, "out_rtol": 1e-6, "out_atol": 1e-8} if exact else TOLERANCES[x.dtype]
    check_backward(submission, f"{kind}_pool_forward", f"{kind}_pool_backward", (x, _param(ph, pw, stride)), dout, wrt=(0,),
                   expected_out=out, expected_grads=(expected_dx,), names=("dx",), forward_task=f"{kind}_pool", hints=hints,
                   **tolerance)


# ----------------------------------------------------------------- max pooling


@pytest.mark.task("max_pool")
def test_max_pool_forward_basic(submission, rng):
    """2x2 windows, stride 2 (odd sizes leave a row/column out)."""
    _check_forward(submission, "max", _x(rng, 2, 2, 2), 2, 2, 2, " (2x2, stride 2)")


@pytest.mark.task("max_pool")
def test_max_pool_forward_nonsquare_overlapping(submission, rng):
    """Non-square windows, overlapping (stride 1) and strided (stride 2 with a 2x3 window)."""
    for ph, pw, stride in ((3, 2, 1), (2, 3, 2)):
        _check_forward(submission, "max", _x(rng, ph, pw, stride), ph, pw, stride, f" ({ph}x{pw}, stride {stride})")


@pytest.mark.task("max_pool")
def test_max_pool_backward_basic(submission, rng):
    """2x2 windows, stride 2, tiling the input exactly and not: the gradient goes to the argmax of each window."""
    for tiles in (True, False):
        _check_backward(submission, rng, "max", _x(rng, 2, 2, 2, tiles=tiles), 2, 2, 2)


@pytest.mark.task("max_pool")
def test_max_pool_backward_overlapping(submission, rng):
    """Overlapping windows (stride < window): an input that is the max of several windows gets their sum."""
    for ph, pw, stride in ((3, 3, 1), (3, 2, 2)):
        _check_backward(submission, rng, "max", _x(rng, ph, pw, stride), ph, pw, stride)


@pytest.mark.task("max_pool")
def test_max_pool_backward_ties(submission, rng):
    """Inputs drawn from {0, 1, 2}, so maxima tie: each window's gradient goes to its first maximum in row-major
    window order, exactly (API.md's rule, computed window by window; integer upstream gradients add up exactly).
    2x2 windows tiling the input exactly, 2x2 windows leaving a row/column out, overlapping 3x2 windows."""
    for ph, pw, stride, tiles in ((2, 2, 2, True), (2, 2, 2, False), (3, 2, 1, None)):
        x = _x(rng, ph, pw, stride, ties=True, tiles=tiles)
        out, _ = pool2d("max", x, ph, pw, stride)
        dout = rng.integers(1, 6, size=out.shape) * rng.choice([-1.0, 1.0], size=out.shape)
        _check_backward(submission, rng, "max", x, ph, pw, stride, dout=dout,
                        expected_dx=max_pool_routed_gradient(x, dout, ph, pw, stride, "first"), exact=True)


@pytest.mark.task("max_pool")
def test_max_pool_window_divides_input(submission, rng):
    """The window divides H and W but the stride is not the window (2x2 stride 1, 3x3 stride 2):
    a reshape-into-tiles shortcut does not apply (forward and backward)."""
    for ph, pw, stride in ((2, 2, 1), (3, 3, 2)):
        x = _x(rng, ph, pw, stride, tiles=True)
        _check_forward(submission, "max", x, ph, pw, stride, f" ({ph}x{pw}, stride {stride}, {x.shape})")
        _check_backward(submission, rng, "max", x, ph, pw, stride)


@pytest.mark.task("max_pool")
def test_max_pool_batch_of_one_float32(submission, rng):
    """A batch of one, float32, forward and backward."""
    x = _x(rng, 2, 3, 2, N=1, dtype=np.float32)
    _check_forward(submission, "max", x, 2, 3, 2, " (float32, N=1)")
    _check_backward(submission, rng, "max", x, 2, 3, 2)


# ----------------------------------------------------------------- average pooling


@pytest.mark.task("avg_pool")
def test_avg_pool_forward_basic(submission, rng):
    """2x2 windows, stride 2."""
    _check_forward(submission, "avg", _x(rng, 2, 2, 2), 2, 2, 2, " (2x2, stride 2)")


@pytest.mark.task("avg_pool")
def test_avg_pool_forward_nonsquare_overlapping(submission, rng):
    """Non-square windows, overlapping (stride 1) and strided (stride 2 with a 2x3 window)."""
    for ph, pw, stride in ((3, 2, 1), (2, 3, 2)):
        _check_forward(submission, "avg", _x(rng, ph, pw, stride), ph, pw, stride, f" ({ph}x{pw}, stride {stride})")


@pytest.mark.task("avg_pool")
def test_avg_pool_backward_basic(submission, rng):
    """2x2 windows, stride 2, tiling the input exactly and not: each input gets a quarter of its window's gradient."""
    for tiles in (True, False):
        _check_backward(submission, rng, "avg", _x(rng, 2, 2, 2, tiles=tiles), 2, 2, 2)


@pytest.mark.task("avg_pool")
def test_avg_pool_backward_overlapping(submission, rng):
    """Overlapping, non-square windows: contributions of all windows add up."""
    for ph, pw, stride in ((3, 3, 1), (3, 2, 2)):
        _check_backward(submission, rng, "avg", _x(rng, ph, pw, stride), ph, pw, stride)


@pytest.mark.task("avg_pool")
def test_avg_pool_window_divides_input(submission, rng):
    """The window divides H and W but the stride is not the window (2x2 stride 1, 3x3 stride 2):
    a reshape-into-tiles shortcut does not apply (forward and backward)."""
    for ph, pw, stride in ((2, 2, 1), (3, 3, 2)):
        x = _x(rng, ph, pw, stride, tiles=True)
        _check_forward(submission, "avg", x, ph, pw, stride, f" ({ph}x{pw}, stride {stride}, {x.shape})")
        _check_backward(submission, rng, "avg", x, ph, pw, stride)


@pytest.mark.task("avg_pool")
def test_avg_pool_batch_of_one_float32(submission, rng):
    """A batch of one, float32, forward and backward."""
    x = _x(rng, 3, 2, 1, N=1, dtype=np.float32)
    _check_forward(submission, "avg", x, 3, 2, 1, " (float32, N=1)")
    _check_backward(submission, rng, "avg", x, 3, 2, 1)
