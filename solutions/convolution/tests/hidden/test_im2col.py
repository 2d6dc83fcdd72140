"""Hidden tests: im2col (torch unfold) and col2im (torch fold)."""

import numpy as np
import pytest

from autograder.testing import assert_close, best_time, float32_tolerances


def _kernel_major(cols, C, kh, kw):
    """The (kh, kw, C) row order some students produce instead of torch's (C, kh, kw)."""
    N, _, L = cols.shape
    return cols.reshape(N, C, kh, kw, L).transpose(0, 2, 3, 1, 4).reshape(N, C * kh * kw, L)


def _col2im_overwrite(cols, x_shape, kh, kw):
    """col2im with '=' instead of '+=' (stride 1, no padding): the last window wins."""
    N, C, H, W = x_shape
    oh, ow = H - kh + 1, W - kw + 1
    cols = cols.reshape(N, C, kh, kw, oh, ow)
    x = np.zeros(x_shape)
    for u in range(kh):
        for v in range(kw):
            x[:, :, u:u + oh, v:v + ow] = cols[:, :, u, v]
    return x


def _random_case(rng, ref, pairs=False, min_stride=1):
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
        sh, sw = ref.pair(stride)
        ph, pw = ref.pair(pad)
        if H != W and kh != kw and ref.out_size(H, kh, sh, ph) >= 1 and ref.out_size(W, kw, sw, pw) >= 1:
            return (N, C, H, W), kh, kw, stride, pad


# ----------------------------------------------------------------- im2col


@pytest.mark.task("im2col")
def test_im2col_basic(submission, rng, ref):
    """Stride 1, no padding, square input and kernel."""
    x = rng.standard_normal((2, 3, 6, 6))
    expected = ref.unfold(x, 3, 3)
    assert_close(submission.im2col(x.copy(), 3, 3), expected, name="cols",
                 hints={"ordered the rows kernel-offset first (kh, kw, C) instead of channel first (C, kh, kw)":
                        _kernel_major(expected, 3, 3, 3)})


@pytest.mark.task("im2col")
def test_im2col_stride_pad_nonsquare(submission, rng, ref):
    """Non-square inputs and kernels, stride 2 and 3, padding; strides that do not divide the size."""
    for _ in range(3):
        shape, kh, kw, stride, pad = _random_case(rng, ref, min_stride=2)
        x = rng.standard_normal(shape)
        expected = ref.unfold(x, kh, kw, stride, pad)
        assert_close(submission.im2col(x.copy(), kh, kw, stride, pad), expected,
                     name=f"cols (kernel {kh}x{kw}, stride {stride}, pad {pad})",
                     hints={"ordered the rows kernel-offset first (kh, kw, C) instead of channel first (C, kh, kw)":
                            _kernel_major(expected, shape[1], kh, kw)})


@pytest.mark.task("im2col")
def test_im2col_pair_stride_pad(submission, rng, ref):
    """(h, w) pairs for stride and pad, different along the two axes."""
    for _ in range(3):
        shape, kh, kw, stride, pad = _random_case(rng, ref, pairs=True)
        x = rng.standard_normal(shape)
        swapped = ref.unfold(x, kh, kw, stride[::-1], pad[::-1]) if all(
            ref.out_size(n, k, s, p) >= 1 for n, k, s, p in zip(shape[2:], (kh, kw), stride[::-1], pad[::-1])) else None
        hints = {}
        expected = ref.unfold(x, kh, kw, stride, pad)
        if swapped is not None:
            hints["swapped the height and width entries of the (h, w) pairs"] = swapped
        assert_close(submission.im2col(x.copy(), kh, kw, stride, pad), expected,
                     name=f"cols (kernel {kh}x{kw}, stride {stride}, pad {pad})", hints=hints)


@pytest.mark.task("im2col")
def test_im2col_batch_of_one_float32(submission, rng, ref):
    """A batch of one image, float32."""
    shape, kh, kw, stride, pad = _random_case(rng, ref)
    shape = (1,) + shape[1:]
    x = rng.standard_normal(shape).astype(np.float32)
    expected = ref.unfold(x, kh, kw, stride, pad)
    assert_close(submission.im2col(x.copy(), kh, kw, stride, pad), expected, name="cols (float32, N=1)",
                 **float32_tolerances)


@pytest.mark.task("im2col")
def test_im2col_speed(submission, rng, ref):
    """No Python loop over output pixels: a 1x1x512x1024 image, 2x1 kernel, timed against a vectorised im2col."""
    x = rng.standard_normal((1, 1, 512, 1024))
    expected = ref.unfold(x, 2, 1)
    assert_close(submission.im2col(x.copy(), 2, 1), expected, name="cols")
    _, seconds = submission.timed("im2col", x, 2, 1, repeat=5)
    slices = best_time(ref.im2col_reference, x, 2, 1, repeat=5)
    fancy = best_time(ref.im2col_fancy_reference, x, 2, 1, repeat=3)
    limit = ref.pixel_loop_limit(slices, fancy)
    if seconds > limit:
        raise AssertionError(
            f"im2col took {seconds * 1e3:.1f} ms, more than {limit * 1e3:.1f} ms (10x a strided-slice im2col"
            " + 3x a fancy-indexing im2col + 60 ms):"
            " a Python loop over N, H or W (one iteration per output pixel) is too slow; copy one strided slice"
            " of the padded input per kernel offset (loop over kh*kw only) or use fancy indexing")


# ----------------------------------------------------------------- col2im


@pytest.mark.task("col2im")
def test_col2im_overlapping(submission, rng, ref):
    """Stride smaller than the kernel: overlapping windows must add up."""
    N, C, H, W = int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(5, 9)), int(rng.integers(5, 9))
    x_shape = (N, C, H, W)
    L = ref.out_size(H, 3) * ref.out_size(W, 3)
    cols = rng.standard_normal((N, C * 9, L))
    expected = ref.fold(cols, x_shape, 3, 3)
    assert_close(submission.col2im(cols.copy(), x_shape, 3, 3), expected, name="x",
                 hints={"overwrote overlapping windows instead of adding them (use +=)":
                        _col2im_overwrite(cols, x_shape, 3, 3)})


@pytest.mark.task("col2im")
def test_col2im_stride_pad_nonsquare(submission, rng, ref):
    """Non-square images and kernels, strides 2-3 (some not dividing the size), padding."""
    for _ in range(3):
        x_shape, kh, kw, stride, pad = _random_case(rng, ref, min_stride=2)
        L = ref.out_size(x_shape[2], kh, stride, pad) * ref.out_size(x_shape[3], kw, stride, pad)
        cols = rng.standard_normal((x_shape[0], x_shape[1] * kh * kw, L))
        expected = ref.fold(cols, x_shape, kh, kw, stride, pad)
        assert_close(submission.col2im(cols.copy(), x_shape, kh, kw, stride, pad), expected,
                     name=f"x (kernel {kh}x{kw}, stride {stride}, pad {pad})")


@pytest.mark.task("col2im")
def test_col2im_pair_stride_pad(submission, rng, ref):
    """(h, w) pairs for stride and pad, including stride 1 (overlap) along one axis."""
    for _ in range(3):
        x_shape, kh, kw, stride, pad = _random_case(rng, ref, pairs=True)
        L = ref.out_size(x_shape[2], kh, stride[0], pad[0]) * ref.out_size(x_shape[3], kw, stride[1], pad[1])
        cols = rng.standard_normal((x_shape[0], x_shape[1] * kh * kw, L))
        expected = ref.fold(cols, x_shape, kh, kw, stride, pad)
        assert_close(submission.col2im(cols.copy(), x_shape, kh, kw, stride, pad), expected,
                     name=f"x (kernel {kh}x{kw}, stride {stride}, pad {pad})")


@pytest.mark.task("col2im")
def test_col2im_no_padding(submission, rng, ref):
    """pad=0 with stride 2 (cropping the padding must still work when there is none)."""
    x_shape = (int(rng.integers(1, 3)), 2, int(rng.integers(6, 10)), int(rng.integers(6, 10)))
    L = ref.out_size(x_shape[2], 2, 2) * ref.out_size(x_shape[3], 3, 2)
    cols = rng.standard_normal((x_shape[0], 2 * 2 * 3, L))
    expected = ref.fold(cols, x_shape, 2, 3, 2, 0)
    assert_close(submission.col2im(cols.copy(), x_shape, 2, 3, 2, 0), expected, name="x (pad 0)")


@pytest.mark.task("col2im")
def test_col2im_float32_batch_of_one(submission, rng, ref):
    """float32 columns, a batch of one."""
    x_shape = (1, 3, int(rng.integers(5, 10)), int(rng.integers(5, 10)))
    L = ref.out_size(x_shape[2], 3, 1, 1) * ref.out_size(x_shape[3], 2, 1, 1)
    cols = rng.standard_normal((1, 3 * 3 * 2, L)).astype(np.float32)
    expected = ref.fold(cols, x_shape, 3, 2, 1, 1)
    assert_close(submission.col2im(cols.copy(), x_shape, 3, 2, 1, 1), expected, name="x (float32, N=1)",
                 **float32_tolerances)


@pytest.mark.task("col2im")
def test_col2im_speed(submission, rng, ref):
    """No Python loop over pixels: folding the columns of a 1x1x512x1024 image (2x1 kernel), timed."""
    x_shape = (1, 1, 512, 1024)
    cols = rng.standard_normal((1, 2, 511 * 1024))
    expected = ref.fold(cols, x_shape, 2, 1)
    assert_close(submission.col2im(cols.copy(), x_shape, 2, 1), expected, name="x")
    _, seconds = submission.timed("col2im", cols, x_shape, 2, 1, repeat=5)
    slices = best_time(ref.col2im_reference, cols, x_shape, 2, 1, repeat=5)
    fancy = best_time(ref.col2im_fancy_reference, cols, x_shape, 2, 1, repeat=3)
    limit = ref.pixel_loop_limit(slices, fancy)
    if seconds > limit:
        raise AssertionError(
            f"col2im took {seconds * 1e3:.1f} ms, more than {limit * 1e3:.1f} ms (10x a strided-slice col2im"
            " + 3x an np.add.at col2im + 60 ms):"
            " a Python loop over N, H or W (one iteration per output pixel) is too slow; add one strided slice"
            " per kernel offset (loop over kh*kw only) or scatter with np.add.at")
