"""Public tests: im2col and col2im (fixed inputs)."""

import numpy as np
import pytest


def _hint(frozen, key, description, transform):
    """A hint computed from the frozen value (none while recording)."""
    return {} if frozen.recording else {description: transform(frozen.value(key))}


def _kernel_major(cols, C, kh, kw):
    N, _, L = cols.shape
    return cols.reshape(N, C, kh, kw, L).transpose(0, 2, 3, 1, 4).reshape(N, C * kh * kw, L)


@pytest.mark.task("im2col")
def test_im2col_tiny(submission, frozen):
    """A 1x1x3x3 image of 0..8 and a 2x2 kernel: the 4 windows become the 4 columns."""
    x = np.arange(9, dtype=np.float64).reshape(1, 1, 3, 3)
    frozen.check("im2col.tiny", submission.im2col(x.copy(), 2, 2))


@pytest.mark.task("im2col")
def test_im2col_stride_pad(submission, frozen):
    """Non-square input and kernel, stride 2, pad 1; then (h, w) pairs."""
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 6))
    frozen.check("im2col.stride_pad", submission.im2col(x.copy(), 3, 2, 2, 1),
                 hints=_hint(frozen, "im2col.stride_pad", "ordered the rows (kh, kw, C) instead of (C, kh, kw)",
                             lambda v: _kernel_major(v, 3, 3, 2)))
    frozen.check("im2col.pairs", submission.im2col(x.copy(), 2, 3, (1, 2), (2, 0)))


@pytest.mark.task("col2im")
def test_col2im_overlap(submission, frozen):
    """Folding all-ones columns counts how many windows cover each pixel (3x3 kernel, stride 1, pad 1)."""
    x_shape = (1, 1, 4, 5)
    cols = np.ones((1, 9, 20))
    frozen.check("col2im.counts", submission.col2im(cols, x_shape, 3, 3, 1, 1),
                 hints={"overwrote overlapping windows instead of adding them": np.ones(x_shape)})


@pytest.mark.task("col2im")
def test_col2im_stride_pad(submission, frozen):
    """Random columns, non-square kernel, stride 2 with pad 1, then pad 0 and (h, w) pairs."""
    rng = np.random.default_rng(0)
    cols = rng.standard_normal((2, 3 * 3 * 2, 3 * 4))
    frozen.check("col2im.stride_pad", submission.col2im(cols, (2, 3, 5, 6), 3, 2, 2, 1))
    cols = rng.standard_normal((2, 2 * 2 * 3, 4 * 2))
    frozen.check("col2im.pairs", submission.col2im(cols, (2, 2, 5, 6), 2, 3, (1, 2), (0, 0)))
