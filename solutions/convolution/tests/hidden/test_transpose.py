"""Hidden tests: conv_transpose_forward / conv_transpose_backward against torch conv_transpose2d (float64).

conv_param gives stride and pad in every test except test_transpose_default_conv_param. Backward
tests go through check_backward (a wrong forward costs the forward tests).
"""

import numpy as np
import pytest

from autograder.testing import assert_close, check_backward, float32_tolerances

from helpers import conv_transpose2d, negative_crop, pair

TOLERANCES = {np.dtype(np.float64): {"rtol": 1e-6, "atol": 1e-8}, np.dtype(np.float32): float32_tolerances}


def _layer(rng, stride, pad, N=None, square_kernel=False, dtype=np.float64):
    sh, sw = pair(stride)
    ph, pw = pair(pad)
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


def _forward_hints(x, w, b, stride, pad):
    """Cropping 2 * pad from the end instead of pad from each side, and a [pad:-pad] crop that is empty at pad 0."""
    ph, pw = pair(pad)
    full, _ = conv_transpose2d(x, w, b, stride, 0)
    hints = {"cropped_one_side": full[:, :, :full.shape[2] - 2 * ph, :full.shape[3] - 2 * pw]}
    cropped = negative_crop((full.shape[0], full.shape[1], full.shape[2] - 2 * ph, full.shape[3] - 2 * pw), pad)
    if cropped is not None:
        hints["crop_negative_pad"] = cropped
    return hints


def _check_forward(submission, x, w, b, conv_param, label):
    stride, pad = conv_param.get("stride", 1), conv_param.get("pad", 0)
    expected, _ = conv_transpose2d(x, w, b, stride, pad)
    out, _ = submission.conv_transpose_forward(x.copy(), w.copy(), b.copy(), dict(conv_param))
    assert_close(out, expected, name=f"out{label}", hints=_forward_hints(x, w, b, stride, pad), **TOLERANCES[x.dtype])


def _check_backward(submission, rng, x, w, b, conv_param):
    stride, pad = conv_param.get("stride", 1), conv_param.get("pad", 0)
    out, _ = conv_transpose2d(x, w, b, stride, pad)
    dout = rng.standard_normal(out.shape).astype(x.dtype)
    out, grads = conv_transpose2d(x, w, b, stride, pad, dout)
    check_backward(submission, "conv_transpose_forward", "conv_transpose_backward", (x, w, b, dict(conv_param)), dout,
                   wrt=(0, 1, 2), expected_out=out, expected_grads=grads, names=("dx", "dw", "db"), forward_task="conv_transpose",
                   **TOLERANCES[x.dtype])


@pytest.mark.task("conv_transpose")
def test_transpose_forward_stride1(submission, rng):
    """Stride 1, no padding (given in conv_param), non-square input and kernel: a 'full' convolution."""
    x, w, b = _layer(rng, 1, 0)
    _check_forward(submission, x, w, b, {"stride": 1, "pad": 0}, " (stride 1, pad 0)")


@pytest.mark.task("conv_transpose")
def test_transpose_forward_stride2_pad1(submission, rng):
    """Stride 2, pad 1, 3x3 kernel: the upsampling layer that makes checkerboard artefacts."""
    x, w, b = _layer(rng, 2, 1, square_kernel=True)
    _check_forward(submission, x, w, b, {"stride": 2, "pad": 1}, " (stride 2, pad 1)")


@pytest.mark.task("conv_transpose")
def test_transpose_forward_pairs(submission, rng):
    """(h, w) pairs for stride and pad, non-square kernel."""
    x, w, b = _layer(rng, (2, 3), (1, 0))
    _check_forward(submission, x, w, b, {"stride": (2, 3), "pad": (1, 0)}, " (stride (2, 3), pad (1, 0))")


@pytest.mark.task("conv_transpose")
def test_transpose_default_conv_param(submission, rng):
    """conv_param = {}: stride 1, no padding."""
    x, w, b = _layer(rng, 1, 0)
    _check_forward(submission, x, w, b, {}, " (conv_param={})")


@pytest.mark.task("conv_transpose")
def test_transpose_backward_stride1(submission, rng):
    """Backward, stride 1, no padding (pad = 0 given as a scalar)."""
    x, w, b = _layer(rng, 1, 0)
    _check_backward(submission, rng, x, w, b, {"stride": 1, "pad": 0})


@pytest.mark.task("conv_transpose")
def test_transpose_backward_stride2_pad(submission, rng):
    """Backward, stride 2 with padding 1, and stride 3 with padding 2."""
    for stride, pad in ((2, 1), (3, 2)):
        x, w, b = _layer(rng, stride, pad, square_kernel=(pad == 1))
        _check_backward(submission, rng, x, w, b, {"stride": stride, "pad": pad})


@pytest.mark.task("conv_transpose")
def test_transpose_backward_pairs(submission, rng):
    """Backward with (h, w) pairs for stride and pad."""
    x, w, b = _layer(rng, (1, 2), (0, 1))
    _check_backward(submission, rng, x, w, b, {"stride": (1, 2), "pad": (0, 1)})


@pytest.mark.task("conv_transpose")
def test_transpose_batch_of_one_float32(submission, rng):
    """A batch of one, float32, forward and backward (float32 tolerances)."""
    x, w, b = _layer(rng, 2, 1, N=1, dtype=np.float32)
    _check_forward(submission, x, w, b, {"stride": 2, "pad": 1}, " (float32, N=1)")
    _check_backward(submission, rng, x, w, b, {"stride": 2, "pad": 1})
