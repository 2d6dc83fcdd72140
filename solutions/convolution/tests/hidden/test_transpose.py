"""Hidden tests: conv_transpose_forward / conv_transpose_backward against torch conv_transpose2d (float64)."""

import numpy as np
import pytest

from autograder.testing import assert_close, float32_tolerances


def _layer(rng, stride, pad, N=None, square_kernel=False, dtype=np.float64):
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    ph, pw = (pad, pad) if np.ndim(pad) == 0 else pad
    N = N or int(rng.integers(2, 4))
    C_in, F = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    while True:
        H, W = int(rng.integers(3, 7)), int(rng.integers(3, 7))
        kh, kw = (3, 3) if square_kernel else (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        if H == W or (not square_kernel and kh == kw):
            continue
        if ph < kh and pw < kw and (H - 1) * sh - 2 * ph + kh >= 1 and (W - 1) * sw - 2 * pw + kw >= 1:
            break
    x = rng.standard_normal((N, C_in, H, W)).astype(dtype)
    w = rng.standard_normal((C_in, F, kh, kw)).astype(dtype)
    b = rng.standard_normal(F).astype(dtype)
    return x, w, b


def _check(submission, ref, rng, x, w, b, stride, pad, label, backward=True, **tol):
    expected = ref.conv_transpose2d(x, w, b, stride, pad)
    param = {} if (stride, pad) == (1, 0) else {"stride": stride, "pad": pad}
    out, cache = submission.conv_transpose_forward(x.copy(), w.copy(), b.copy(), param)
    assert_close(out, expected, name=f"out{label}", **tol,
                 hints={"flipped the kernel": ref.conv_transpose2d(x, w[:, :, ::-1, ::-1], b, stride, pad),
                        "forgot the bias": expected - b.reshape(1, -1, 1, 1)})
    if not backward:
        return
    dout = rng.standard_normal(expected.shape).astype(x.dtype)
    _, (dx, dw, db) = ref.conv_transpose2d(x, w, b, stride, pad, dout=dout)
    got_dx, got_dw, got_db = submission.conv_transpose_backward(dout.copy(), cache)
    N = x.shape[0]
    assert_close(got_db, db, name=f"db{label}", hints={"averaged db over the batch instead of summing": db / N}, **tol)
    assert_close(got_dw, dw, name=f"dw{label}", hints={"averaged dw over the batch instead of summing": dw / N}, **tol)
    assert_close(got_dx, dx, name=f"dx{label}", **tol)


@pytest.mark.task("conv_transpose")
def test_transpose_forward_stride1(submission, rng, ref):
    """Stride 1, no padding (defaults), non-square input and kernel: a 'full' convolution."""
    x, w, b = _layer(rng, 1, 0)
    _check(submission, ref, rng, x, w, b, 1, 0, " (stride 1, pad 0)", backward=False)


@pytest.mark.task("conv_transpose")
def test_transpose_forward_stride2_pad1(submission, rng, ref):
    """Stride 2, pad 1, 3x3 kernel: the upsampling layer that makes checkerboard artefacts."""
    x, w, b = _layer(rng, 2, 1, square_kernel=True)
    _check(submission, ref, rng, x, w, b, 2, 1, " (stride 2, pad 1)", backward=False)


@pytest.mark.task("conv_transpose")
def test_transpose_forward_pairs(submission, rng, ref):
    """(h, w) pairs for stride and pad, non-square kernel."""
    x, w, b = _layer(rng, (2, 3), (1, 0))
    _check(submission, ref, rng, x, w, b, (2, 3), (1, 0), " (stride (2, 3), pad (1, 0))", backward=False)


@pytest.mark.task("conv_transpose")
def test_transpose_backward_stride1(submission, rng, ref):
    """Backward, stride 1, no padding."""
    x, w, b = _layer(rng, 1, 0)
    _check(submission, ref, rng, x, w, b, 1, 0, " (stride 1, pad 0)")


@pytest.mark.task("conv_transpose")
def test_transpose_backward_stride2_pad(submission, rng, ref):
    """Backward, stride 2 with padding 1, and stride 3 with padding 2."""
    for stride, pad in ((2, 1), (3, 2)):
        x, w, b = _layer(rng, stride, pad, square_kernel=(pad == 1))
        _check(submission, ref, rng, x, w, b, stride, pad, f" (stride {stride}, pad {pad})")


@pytest.mark.task("conv_transpose")
def test_transpose_backward_pairs(submission, rng, ref):
    """Backward with (h, w) pairs for stride and pad."""
    x, w, b = _layer(rng, (1, 2), (0, 1))
    _check(submission, ref, rng, x, w, b, (1, 2), (0, 1), " (stride (1, 2), pad (0, 1))")


@pytest.mark.task("conv_transpose")
def test_transpose_batch_of_one_float32(submission, rng, ref):
    """A batch of one, float32, forward and backward (float32 tolerances)."""
    x, w, b = _layer(rng, 2, 1, N=1, dtype=np.float32)
    _check(submission, ref, rng, x, w, b, 2, 1, " (float32, N=1)", **float32_tolerances)
