"""Hidden tests: max and average pooling against torch.nn.functional.max_pool2d / avg_pool2d (float64)."""

import numpy as np
import pytest

from autograder.testing import assert_close, float32_tolerances


def _x(rng, ref, ph, pw, stride, N=None, dtype=np.float64, ties=False, tiles=None):
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


def _windows(x_shape, ph, pw, stride):
    """(i, j, row slice, col slice) of every pooling window (harness-side, small inputs only)."""
    H, W = x_shape[2:]
    for i in range((H - ph) // stride + 1):
        for j in range((W - pw) // stride + 1):
            yield i, j, slice(i * stride, i * stride + ph), slice(j * stride, j * stride + pw)


def _max_backward_variant(x, dout, ph, pw, stride, mode):
    """Wrong max-pool gradients students write: 'all' = to every tied max, 'last' = to the last max,
    'overwrite' = overlapping windows overwrite instead of adding."""
    dx = np.zeros_like(x, dtype=np.float64)
    N, C = x.shape[:2]
    for i, j, rows, cols in _windows(x.shape, ph, pw, stride):
        window = x[:, :, rows, cols].reshape(N, C, -1)
        g = dout[:, :, i, j]
        if mode == "all":
            mask = window == window.max(axis=2, keepdims=True)
        else:
            index = window.shape[2] - 1 - window[:, :, ::-1].argmax(axis=2) if mode == "last" else window.argmax(axis=2)
            mask = np.arange(window.shape[2]) == index[..., None]
        contribution = (mask * g[..., None]).reshape(N, C, ph, pw)
        if mode == "overwrite":
            dx[:, :, rows, cols] = np.where(mask.reshape(N, C, ph, pw), contribution, dx[:, :, rows, cols])
        else:
            dx[:, :, rows, cols] += contribution
    return dx


def _check_pool(submission, ref, rng, kind, x, ph, pw, stride, label, backward=True, **tol):
    param = _param(ph, pw, stride)
    expected = ref.pool2d(kind, x, ph, pw, stride)
    out, cache = getattr(submission, f"{kind}_pool_forward")(x.copy(), dict(param))
    assert_close(out, expected, name=f"out{label}", **tol)
    if not backward:
        return
    dout = rng.standard_normal(expected.shape).astype(x.dtype)
    _, dx = ref.pool2d(kind, x, ph, pw, stride, dout=dout)
    got = getattr(submission, f"{kind}_pool_backward")(dout.copy(), cache)
    if kind == "max":
        hints = {"sent the gradient to every tied maximum (send it to the first one only)":
                 _max_backward_variant(x, dout, ph, pw, stride, "all"),
                 "sent the gradient to the last tied maximum (send it to the first one in row-major order)":
                 _max_backward_variant(x, dout, ph, pw, stride, "last"),
                 "overwrote the gradient where windows overlap instead of adding it":
                 _max_backward_variant(x, dout, ph, pw, stride, "overwrite")}
    else:
        hints = {f"forgot to divide by the window size ({ph}x{pw})": dx * ph * pw}
    assert_close(got, dx, name=f"dx{label}", hints=hints, **tol)


# ----------------------------------------------------------------- max pooling


@pytest.mark.task("max_pool")
def test_max_pool_forward_basic(submission, rng, ref):
    """2x2 windows, stride 2 (odd sizes leave a row/column out)."""
    _check_pool(submission, ref, rng, "max", _x(rng, ref, 2, 2, 2), 2, 2, 2, " (2x2, stride 2)", backward=False)


@pytest.mark.task("max_pool")
def test_max_pool_forward_nonsquare_overlapping(submission, rng, ref):
    """Non-square windows, overlapping (stride 1) and strided (stride 2 with a 2x3 window)."""
    for ph, pw, stride in ((3, 2, 1), (2, 3, 2)):
        x = _x(rng, ref, ph, pw, stride)
        _check_pool(submission, ref, rng, "max", x, ph, pw, stride, f" ({ph}x{pw}, stride {stride})", backward=False)


@pytest.mark.task("max_pool")
def test_max_pool_backward_basic(submission, rng, ref):
    """2x2 windows, stride 2, tiling the input exactly and not: the gradient goes to the argmax of each window."""
    for tiles in (True, False):
        x = _x(rng, ref, 2, 2, 2, tiles=tiles)
        _check_pool(submission, ref, rng, "max", x, 2, 2, 2, f" (2x2, stride 2, {x.shape})")


@pytest.mark.task("max_pool")
def test_max_pool_backward_overlapping(submission, rng, ref):
    """Overlapping windows (stride < window): an input that is the max of several windows gets their sum."""
    for ph, pw, stride in ((3, 3, 1), (3, 2, 2)):
        x = _x(rng, ref, ph, pw, stride)
        _check_pool(submission, ref, rng, "max", x, ph, pw, stride, f" ({ph}x{pw}, stride {stride})")


@pytest.mark.task("max_pool")
def test_max_pool_backward_ties(submission, rng, ref):
    """Inputs drawn from {0, 1, 2}: many tied maxima; the gradient goes to the first one in row-major order
    (2x2 windows tiling the input exactly, 2x2 windows leaving a row/column out, overlapping 3x2 windows)."""
    for ph, pw, stride, tiles in ((2, 2, 2, True), (2, 2, 2, False), (3, 2, 1, None)):
        x = _x(rng, ref, ph, pw, stride, ties=True, tiles=tiles)
        _check_pool(submission, ref, rng, "max", x, ph, pw, stride, f" (ties, {ph}x{pw}, stride {stride}, {x.shape})")


@pytest.mark.task("max_pool")
def test_max_pool_window_divides_input(submission, rng, ref):
    """The window divides H and W but the stride is not the window (2x2 stride 1, 3x3 stride 2):
    a reshape-into-tiles shortcut does not apply."""
    for ph, pw, stride in ((2, 2, 1), (3, 3, 2)):
        x = _x(rng, ref, ph, pw, stride, tiles=True)
        _check_pool(submission, ref, rng, "max", x, ph, pw, stride, f" ({ph}x{pw}, stride {stride}, {x.shape})")


@pytest.mark.task("max_pool")
def test_max_pool_batch_of_one_float32(submission, rng, ref):
    """A batch of one, float32, forward and backward."""
    x = _x(rng, ref, 2, 3, 2, N=1, dtype=np.float32)
    _check_pool(submission, ref, rng, "max", x, 2, 3, 2, " (float32, N=1)", **float32_tolerances)


# ----------------------------------------------------------------- average pooling


@pytest.mark.task("avg_pool")
def test_avg_pool_forward_basic(submission, rng, ref):
    """2x2 windows, stride 2."""
    _check_pool(submission, ref, rng, "avg", _x(rng, ref, 2, 2, 2), 2, 2, 2, " (2x2, stride 2)", backward=False)


@pytest.mark.task("avg_pool")
def test_avg_pool_forward_nonsquare_overlapping(submission, rng, ref):
    """Non-square windows, overlapping (stride 1) and strided (stride 2 with a 2x3 window)."""
    for ph, pw, stride in ((3, 2, 1), (2, 3, 2)):
        x = _x(rng, ref, ph, pw, stride)
        _check_pool(submission, ref, rng, "avg", x, ph, pw, stride, f" ({ph}x{pw}, stride {stride})", backward=False)


@pytest.mark.task("avg_pool")
def test_avg_pool_backward_basic(submission, rng, ref):
    """2x2 windows, stride 2, tiling the input exactly and not: each input gets a quarter of its window's gradient."""
    for tiles in (True, False):
        x = _x(rng, ref, 2, 2, 2, tiles=tiles)
        _check_pool(submission, ref, rng, "avg", x, 2, 2, 2, f" (2x2, stride 2, {x.shape})")


@pytest.mark.task("avg_pool")
def test_avg_pool_backward_overlapping(submission, rng, ref):
    """Overlapping, non-square windows: contributions of all windows add up."""
    for ph, pw, stride in ((3, 3, 1), (3, 2, 2)):
        x = _x(rng, ref, ph, pw, stride)
        _check_pool(submission, ref, rng, "avg", x, ph, pw, stride, f" ({ph}x{pw}, stride {stride})")


@pytest.mark.task("avg_pool")
def test_avg_pool_window_divides_input(submission, rng, ref):
    """The window divides H and W but the stride is not the window (2x2 stride 1, 3x3 stride 2):
    a reshape-into-tiles shortcut does not apply."""
    for ph, pw, stride in ((2, 2, 1), (3, 3, 2)):
        x = _x(rng, ref, ph, pw, stride, tiles=True)
        _check_pool(submission, ref, rng, "avg", x, ph, pw, stride, f" ({ph}x{pw}, stride {stride}, {x.shape})")


@pytest.mark.task("avg_pool")
def test_avg_pool_batch_of_one_float32(submission, rng, ref):
    """A batch of one, float32, forward and backward."""
    x = _x(rng, ref, 3, 2, 1, N=1, dtype=np.float32)
    _check_pool(submission, ref, rng, "avg", x, 3, 2, 1, " (float32, N=1)", **float32_tolerances)
