"""Hidden tests: im2col (torch unfold) and col2im (torch fold).

stride and pad are passed in every test except the tests of the defaults, one per default.
"""

import numpy as np
import pytest

from autograder.testing import assert_close, best_time, float32_tolerances

from helpers import (col2im_fancy_reference, col2im_overwrite, col2im_reference, fold, im2col_fancy_reference, im2col_reference,
                     kernel_major, negative_crop, out_size, pair, pixel_loop_limit, unfold)


def _random_case(rng, pairs=False, min_stride=1):
    """x shape, kernel, stride, pad with at least one complete window; non-square by construction."""
    while True:
        N, C = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        H, W = int(rng.integers(4, 11)), int(rng.integers(4, 11))
        kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        if pairs:
            stride = (int(rng.integers(min_stride, 4)), int(rng.integers(min_stride, 4)))
            pad = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
            if stride[0] == stride[1] and pad[0] == pad[1]:
                continue
        else:
            stride, pad = int(rng.integers(min_stride, 4)), int(rng.integers(0, 3))
        sh, sw = pair(stride)
        ph, pw = pair(pad)
        if H != W and kh != kw and out_size(H, kh, sh, ph) >= 1 and out_size(W, kw, sw, pw) >= 1:
            return (N, C, H, W), kh, kw, stride, pad


def _columns(rng, x_shape, kh, kw, stride, pad, dtype=np.float64):
    """Random columns of the shape im2col gives for x_shape: (N, C*kh*kw, L)."""
    (sh, sw), (ph, pw) = pair(stride), pair(pad)
    L = out_size(x_shape[2], kh, sh, ph) * out_size(x_shape[3], kw, sw, pw)
    return rng.standard_normal((x_shape[0], x_shape[1] * kh * kw, L)).astype(dtype)


def _check_col2im(submission, cols, x_shape, kh, kw, stride, pad, name, **tolerance):
    expected = fold(cols, x_shape, kh, kw, stride, pad)
    hints = {"overwrote_overlaps": col2im_overwrite(cols, x_shape, kh, kw, stride, pad)}
    cropped = negative_crop(x_shape, pad)
    if cropped is not None:
        hints["crop_negative_pad"] = cropped
    assert_close(submission.col2im(cols.copy(), x_shape, kh, kw, stride, pad), expected, name=name, hints=hints, **tolerance)


# ----------------------------------------------------------------- im2col


@pytest.mark.task("im2col")
def test_im2col_basic(submission, rng):
    """Stride 1, no padding, square input and kernel."""
    x = rng.standard_normal((2, 3, 6, 6))
    expected = unfold(x, 3, 3, 1, 0)
    assert_close(submission.im2col(x.copy(), 3, 3, 1, 0), expected, name="cols",
                 hints={"kernel_major_rows": kernel_major(expected, 3, 3, 3)})


@pytest.mark.task("im2col")
def test_im2col_stride_pad_nonsquare(submission, rng):
    """Non-square inputs and kernels, stride 2 and 3, padding; strides that do not divide the size."""
    for _ in range(3):
        shape, kh, kw, stride, pad = _random_case(rng, min_stride=2)
        x = rng.standard_normal(shape)
        expected = unfold(x, kh, kw, stride, pad)
        assert_close(submission.im2col(x.copy(), kh, kw, stride, pad), expected,
                     name=f"cols (kernel {kh}x{kw}, stride {stride}, pad {pad})",
                     hints={"kernel_major_rows": kernel_major(expected, shape[1], kh, kw)})


@pytest.mark.task("im2col")
def test_im2col_pair_stride_pad(submission, rng):
    """(h, w) pairs for stride and pad, different along the two axes."""
    for _ in range(3):
        shape, kh, kw, stride, pad = _random_case(rng, pairs=True)
        x = rng.standard_normal(shape)
        hints = {}
        if all(out_size(n, k, s, p) >= 1 for n, k, s, p in zip(shape[2:], (kh, kw), stride[::-1], pad[::-1])):
            hints["swapped_pairs"] = unfold(x, kh, kw, stride[::-1], pad[::-1])
        assert_close(submission.im2col(x.copy(), kh, kw, stride, pad), unfold(x, kh, kw, stride, pad),
                     name=f"cols (kernel {kh}x{kw}, stride {stride}, pad {pad})", hints=hints)


@pytest.mark.task("im2col")
def test_im2col_batch_of_one_float32(submission, rng):
    """A batch of one image, float32."""
    shape, kh, kw, stride, pad = _random_case(rng)
    x = rng.standard_normal((1,) + shape[1:]).astype(np.float32)
    assert_close(submission.im2col(x.copy(), kh, kw, stride, pad), unfold(x, kh, kw, stride, pad), name="cols (float32, N=1)",
                 **float32_tolerances)


@pytest.mark.task("im2col")
def test_im2col_default_stride(submission, rng):
    """Without a stride argument, the stride is 1 (pad given)."""
    shape, kh, kw, _, pad = _random_case(rng)
    x = rng.standard_normal(shape)
    assert_close(submission.im2col(x.copy(), kh, kw, pad=pad), unfold(x, kh, kw, 1, pad), name="cols (im2col(x, kh, kw, pad=...))")


@pytest.mark.task("im2col")
def test_im2col_default_pad(submission, rng):
    """Without a pad argument, there is no padding (stride given)."""
    shape, kh, kw, stride, _ = _random_case(rng, min_stride=2)
    x = rng.standard_normal(shape)
    assert_close(submission.im2col(x.copy(), kh, kw, stride), unfold(x, kh, kw, stride, 0), name="cols (im2col(x, kh, kw, stride))")


@pytest.mark.task("im2col")
def test_im2col_speed(submission, rng):
    """No Python loop over output pixels: a 1x1x512x1024 image, 2x1 kernel, timed against a vectorised im2col."""
    x = rng.standard_normal((1, 1, 512, 1024))
    assert_close(submission.im2col(x.copy(), 2, 1, 1, 0), unfold(x, 2, 1, 1, 0), name="cols")
    _, seconds = submission.timed("im2col", x, 2, 1, 1, 0, repeat=5)
    slices = best_time(im2col_reference, x, 2, 1, repeat=5)
    fancy = best_time(im2col_fancy_reference, x, 2, 1, repeat=3)
    limit = pixel_loop_limit(slices, fancy)
    if seconds > limit:
        raise AssertionError(
            f"im2col took {seconds * 1e3:.1f} ms, more than {limit * 1e3:.1f} ms (10x a strided-slice im2col"
            " + 3x a fancy-indexing im2col + 60 ms):"
            " a Python loop over N, H or W (one iteration per output pixel) is too slow; copy one strided slice"
            " of the padded input per kernel offset (loop over kh*kw only) or use fancy indexing")


# ----------------------------------------------------------------- col2im


@pytest.mark.task("col2im")
def test_col2im_overlapping(submission, rng):
    """Stride smaller than the kernel: overlapping windows must add up."""
    x_shape = (int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(5, 9)), int(rng.integers(5, 9)))
    cols = _columns(rng, x_shape, 3, 3, 1, 1)
    _check_col2im(submission, cols, x_shape, 3, 3, 1, 1, "x (3x3 kernel, stride 1, pad 1)")


@pytest.mark.task("col2im")
def test_col2im_stride_pad_nonsquare(submission, rng):
    """Non-square images and kernels, strides 2-3 (some not dividing the size), padding."""
    for _ in range(3):
        x_shape, kh, kw, stride, pad = _random_case(rng, min_stride=2)
        _check_col2im(submission, _columns(rng, x_shape, kh, kw, stride, pad), x_shape, kh, kw, stride, pad,
                      f"x (kernel {kh}x{kw}, stride {stride}, pad {pad})")


@pytest.mark.task("col2im")
def test_col2im_pair_stride_pad(submission, rng):
    """(h, w) pairs for stride and pad, including stride 1 (overlap) along one axis."""
    for _ in range(3):
        x_shape, kh, kw, stride, pad = _random_case(rng, pairs=True)
        _check_col2im(submission, _columns(rng, x_shape, kh, kw, stride, pad), x_shape, kh, kw, stride, pad,
                      f"x (kernel {kh}x{kw}, stride {stride}, pad {pad})")


@pytest.mark.task("col2im")
def test_col2im_no_padding(submission, rng):
    """pad=0 given as a scalar, stride 2 (nothing to crop: a [pad:-pad] crop is empty at pad 0)."""
    x_shape = (int(rng.integers(1, 3)), 2, int(rng.integers(6, 10)), int(rng.integers(6, 10)))
    _check_col2im(submission, _columns(rng, x_shape, 2, 3, 2, 0), x_shape, 2, 3, 2, 0, "x (pad 0)")


@pytest.mark.task("col2im")
def test_col2im_float32_batch_of_one(submission, rng):
    """float32 columns, a batch of one."""
    x_shape = (1, 3, int(rng.integers(5, 10)), int(rng.integers(5, 10)))
    cols = _columns(rng, x_shape, 3, 2, 1, 1, np.float32)
    _check_col2im(submission, cols, x_shape, 3, 2, 1, 1, "x (float32, N=1)", **float32_tolerances)


@pytest.mark.task("col2im")
def test_col2im_default_stride(submission, rng):
    """Without a stride argument, the stride is 1 (pad given)."""
    x_shape, kh, kw, _, pad = _random_case(rng)
    cols = _columns(rng, x_shape, kh, kw, 1, pad)
    assert_close(submission.col2im(cols.copy(), x_shape, kh, kw, pad=pad), fold(cols, x_shape, kh, kw, 1, pad),
                 name="x (col2im(cols, x_shape, kh, kw, pad=...))")


@pytest.mark.task("col2im")
def test_col2im_default_pad(submission, rng):
    """Without a pad argument, there is no padding (stride given)."""
    x_shape, kh, kw, stride, _ = _random_case(rng, min_stride=2)
    cols = _columns(rng, x_shape, kh, kw, stride, 0)
    assert_close(submission.col2im(cols.copy(), x_shape, kh, kw, stride), fold(cols, x_shape, kh, kw, stride, 0),
                 name="x (col2im(cols, x_shape, kh, kw, stride))")


@pytest.mark.task("col2im")
def test_col2im_speed(submission, rng):
    """No Python loop over pixels: folding the columns of a 1x1x512x1024 image (2x1 kernel), timed."""
    x_shape = (1, 1, 512, 1024)
    cols = rng.standard_normal((1, 2, 511 * 1024))
    assert_close(submission.col2im(cols.copy(), x_shape, 2, 1, 1, 0), fold(cols, x_shape, 2, 1, 1, 0), name="x")
    _, seconds = submission.timed("col2im", cols, x_shape, 2, 1, 1, 0, repeat=5)
    slices = best_time(col2im_reference, cols, x_shape, 2, 1, repeat=5)
    fancy = best_time(col2im_fancy_reference, cols, x_shape, 2, 1, repeat=3)
    limit = pixel_loop_limit(slices, fancy)
    if seconds > limit:
        raise AssertionError(
            f"col2im took {seconds * 1e3:.1f} ms, more than {limit * 1e3:.1f} ms (10x a strided-slice col2im"
            " + 3x an np.add.at col2im + 60 ms):"
            " a Python loop over N, H or W (one iteration per output pixel) is too slow; add one strided slice"
            " per kernel offset (loop over kh*kw only) or scatter with np.add.at")
