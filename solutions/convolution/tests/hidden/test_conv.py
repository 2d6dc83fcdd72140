"""Hidden tests: conv_forward / conv_backward against torch.nn.functional.conv2d (float64).

conv_param gives stride, pad and groups in every test except the tests of the defaults, one
per key. Backward tests go through check_backward: the cache comes from the student's
conv_forward, and a wrong forward costs conv_forward's tests, not conv_backward's.
"""

import numpy as np
import pytest

from autograder.errors import GraderError
from autograder.testing import assert_close, best_time, check_backward, float32_tolerances, note

from helpers import col2im_overwrite, conv2d, conv_reference, interleaved_channels, negative_crop, out_size, pair

TOLERANCES = {np.dtype(np.float64): {"rtol": 1e-6, "atol": 1e-8}, np.dtype(np.float32): float32_tolerances}


def _layer(rng, N=None, C=None, F=None, groups=1, stride=1, pad=0, square=False, kernel=None, dtype=np.float64):
    """Random x, w, b for a layer whose output has at least one pixel; non-square unless square=True;
    kernel=(kh, kw) fixes the kernel (the input stays non-square)."""
    sh, sw = pair(stride)
    ph, pw = pair(pad)
    N = N or int(rng.integers(2, 4))
    C = C or int(rng.integers(2, 4)) * groups
    F = F or int(rng.integers(2, 4)) * groups
    while True:
        H, W = int(rng.integers(5, 10)), int(rng.integers(5, 10))
        kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        if square:
            W, kh, kw = H, 3, 3
        elif kernel is not None:
            kh, kw = kernel
            if H == W:
                continue
        elif H == W or kh == kw:
            continue
        if out_size(H, kh, sh, ph) >= 1 and out_size(W, kw, sw, pw) >= 1:
            break
    x = rng.standard_normal((N, C, H, W)).astype(dtype)
    w = rng.standard_normal((F, C // groups, kh, kw)).astype(dtype)
    b = rng.standard_normal(F).astype(dtype)
    return x, w, b


def _settings(conv_param):
    return conv_param.get("stride", 1), conv_param.get("pad", 0), conv_param.get("groups", 1)


def _check_forward(submission, x, w, b, conv_param, name):
    stride, pad, groups = _settings(conv_param)
    expected, _ = conv2d(x, w, b, stride, pad, groups)
    hints = {"flipped_kernel": conv2d(x, w[:, :, ::-1, ::-1], b, stride, pad, groups)[0],
             "forgot_bias": expected - b.reshape(1, -1, 1, 1)}
    if 1 < groups < x.shape[1]:
        hints["interleaved_groups"] = conv2d(x[:, interleaved_channels(x.shape[1], groups)], w, b, stride, pad, groups)[0]
    out, _ = submission.conv_forward(x.copy(), w.copy(), b.copy(), dict(conv_param))
    assert_close(out, expected, name=name, hints=hints, **TOLERANCES[x.dtype])


def _check_backward(submission, rng, x, w, b, conv_param):
    stride, pad, groups = _settings(conv_param)
    out, _ = conv2d(x, w, b, stride, pad, groups)
    dout = rng.standard_normal(out.shape).astype(x.dtype)
    out, (dx, dw, db) = conv2d(x, w, b, stride, pad, groups, dout)
    N, F, oh, ow = out.shape
    Cg, kh, kw = w.shape[1:]
    # The columns of dx: w^T dout per group, folded back with '=' instead of '+=' by some submissions.
    dcols = np.einsum("gfk,ngfl->ngkl", w.reshape(groups, F // groups, -1).astype(np.float64),
                      dout.reshape(N, groups, F // groups, oh * ow).astype(np.float64))
    dx_hints = {"overwrote_overlaps": col2im_overwrite(dcols.reshape(N, groups * Cg * kh * kw, -1), x.shape, kh, kw, stride, pad)}
    cropped = negative_crop(x.shape, pad)
    if cropped is not None:
        dx_hints["crop_negative_pad"] = cropped
    check_backward(submission, "conv_forward", "conv_backward", (x, w, b, dict(conv_param)), dout, wrt=(0, 1, 2),
                   expected_out=out, expected_grads=(dx, dw, db), names=("dx", "dw", "db"), forward_task="conv_forward",
                   hints={"dx": dx_hints, "db": {"averaged_db": dout.astype(np.float64).mean(axis=(0, 2, 3))}},
                   **TOLERANCES[x.dtype])


# ----------------------------------------------------------------- forward


@pytest.mark.task("conv_forward")
def test_forward_basic(submission, rng):
    """Square input and 3x3 kernel, stride 1, pad 1."""
    x, w, b = _layer(rng, stride=1, pad=1, square=True)
    _check_forward(submission, x, w, b, {"stride": 1, "pad": 1, "groups": 1}, "out")


@pytest.mark.task("conv_forward")
def test_forward_stride2_pad_nonsquare(submission, rng):
    """Non-square input and kernel, stride 2 (not always dividing the size), padding 1 and 2."""
    for pad in (1, 2):
        x, w, b = _layer(rng, stride=2, pad=pad)
        _check_forward(submission, x, w, b, {"stride": 2, "pad": pad, "groups": 1}, f"out (stride 2, pad {pad})")


@pytest.mark.task("conv_forward")
def test_forward_pair_stride_pad(submission, rng):
    """(h, w) pairs for stride and pad."""
    for stride, pad in (((1, 2), (2, 0)), ((2, 3), (0, 1))):
        x, w, b = _layer(rng, stride=stride, pad=pad)
        _check_forward(submission, x, w, b, {"stride": stride, "pad": pad, "groups": 1}, f"out (stride {stride}, pad {pad})")


@pytest.mark.task("conv_forward")
def test_forward_groups(submission, rng):
    """groups=2 and 3: each filter sees only its block of consecutive channels."""
    for groups in (2, 3):
        x, w, b = _layer(rng, groups=groups, stride=1, pad=1)
        _check_forward(submission, x, w, b, {"stride": 1, "pad": 1, "groups": groups}, f"out (groups={groups})")


@pytest.mark.task("conv_forward")
def test_forward_depthwise(submission, rng):
    """Depthwise convolution (MobileNet): groups == C, with channel multiplier 1 and 2."""
    C = int(rng.integers(3, 6))
    for multiplier in (1, 2):
        x, w, b = _layer(rng, C=C, F=C * multiplier, groups=C, stride=2, pad=1)
        _check_forward(submission, x, w, b, {"stride": 2, "pad": 1, "groups": C},
                       f"out (depthwise, groups=C={C}, F={C * multiplier})")


@pytest.mark.task("conv_forward")
def test_forward_pointwise(submission, rng):
    """1x1 (pointwise) kernels with padding and stride: the padding still adds zero-input border pixels."""
    for stride, pad in ((2, 1), ((1, 2), (2, 0))):
        x, w, b = _layer(rng, stride=stride, pad=pad, kernel=(1, 1))
        _check_forward(submission, x, w, b, {"stride": stride, "pad": pad, "groups": 1},
                       f"out (1x1 kernel, stride {stride}, pad {pad})")


@pytest.mark.task("conv_forward")
def test_forward_default_stride(submission, rng):
    """Without conv_param['stride'], the stride is 1."""
    x, w, b = _layer(rng, pad=1)
    _check_forward(submission, x, w, b, {"pad": 1, "groups": 1}, "out (no stride in conv_param)")


@pytest.mark.task("conv_forward")
def test_forward_default_pad(submission, rng):
    """Without conv_param['pad'], there is no padding."""
    x, w, b = _layer(rng, stride=2)
    _check_forward(submission, x, w, b, {"stride": 2, "groups": 1}, "out (no pad in conv_param)")


@pytest.mark.task("conv_forward")
def test_forward_default_groups(submission, rng):
    """Without conv_param['groups'], every filter sees every channel (groups = 1)."""
    x, w, b = _layer(rng, stride=2, pad=1)
    _check_forward(submission, x, w, b, {"stride": 2, "pad": 1}, "out (no groups in conv_param)")


@pytest.mark.task("conv_forward")
def test_forward_batch_of_one_float32(submission, rng):
    """A batch of one, float32 inputs (float32 tolerances)."""
    x, w, b = _layer(rng, N=1, stride=2, pad=1, dtype=np.float32)
    _check_forward(submission, x, w, b, {"stride": 2, "pad": 1, "groups": 1}, "out (float32, N=1)")


@pytest.mark.task("conv_forward")
def test_forward_speed(submission, rng):
    """Speed: N=8, C=8 -> F=16, 16x16 images, 3x3 kernel, pad 1, against an im2col + einsum reference."""
    x = rng.standard_normal((8, 8, 16, 16))
    w = rng.standard_normal((16, 8, 3, 3))
    b = rng.standard_normal(16)
    conv_param = {"stride": 1, "pad": 1, "groups": 1}
    expected, _ = conv2d(x, w, b, 1, 1, 1)
    out, _ = submission.conv_forward(x.copy(), w.copy(), b.copy(), dict(conv_param))
    assert_close(out, expected, name="out")
    _, seconds = submission.timed("conv_forward", x, w, b, conv_param, repeat=5)
    reference = best_time(conv_reference, x, w, b, 1, 1, repeat=5)
    limit = 10 * reference + 0.030
    if seconds > limit:
        raise AssertionError(
            f"conv_forward took {seconds * 1e3:.1f} ms, more than {limit * 1e3:.1f} ms (10x an im2col + matrix"
            " multiply reference + 30 ms): a Python loop per output pixel (or over images and filters) is too slow;"
            " build the layer on im2col and one matrix multiply")


# ----------------------------------------------------------------- backward


@pytest.mark.task("conv_backward")
def test_backward_basic(submission, rng):
    """Square input and 3x3 kernel, stride 1, pad 1."""
    x, w, b = _layer(rng, stride=1, pad=1, square=True)
    _check_backward(submission, rng, x, w, b, {"stride": 1, "pad": 1, "groups": 1})


@pytest.mark.task("conv_backward")
def test_backward_stride2_pad_nonsquare(submission, rng):
    """Non-square input and kernel, stride 2 and 3 (not always dividing: some inputs get no gradient), padding."""
    for stride, pad in ((2, 1), (3, 2)):
        x, w, b = _layer(rng, stride=stride, pad=pad)
        _check_backward(submission, rng, x, w, b, {"stride": stride, "pad": pad, "groups": 1})


@pytest.mark.task("conv_backward")
def test_backward_pad_zero(submission, rng):
    """pad = 0 given as a scalar (stride 1 and 2): nothing to crop (a [pad:-pad] crop is empty at pad 0)."""
    for stride in (1, 2):
        x, w, b = _layer(rng, stride=stride, pad=0)
        _check_backward(submission, rng, x, w, b, {"stride": stride, "pad": 0, "groups": 1})


@pytest.mark.task("conv_backward")
def test_backward_pair_stride_pad(submission, rng):
    """(h, w) pairs for stride and pad."""
    x, w, b = _layer(rng, stride=(2, 1), pad=(0, 2))
    _check_backward(submission, rng, x, w, b, {"stride": (2, 1), "pad": (0, 2), "groups": 1})


@pytest.mark.task("conv_backward")
def test_backward_pointwise(submission, rng):
    """1x1 (pointwise) kernel with stride 2 and padding 1."""
    x, w, b = _layer(rng, stride=2, pad=1, kernel=(1, 1))
    _check_backward(submission, rng, x, w, b, {"stride": 2, "pad": 1, "groups": 1})


@pytest.mark.task("conv_backward")
def test_backward_groups(submission, rng):
    """groups=2, and depthwise (groups == C, channel multiplier 2)."""
    x, w, b = _layer(rng, groups=2, stride=1, pad=1)
    _check_backward(submission, rng, x, w, b, {"stride": 1, "pad": 1, "groups": 2})
    C = int(rng.integers(3, 6))
    x, w, b = _layer(rng, C=C, F=2 * C, groups=C, stride=2, pad=1)
    _check_backward(submission, rng, x, w, b, {"stride": 2, "pad": 1, "groups": C})


@pytest.mark.task("conv_backward")
def test_backward_default_conv_param(submission, rng):
    """conv_param = {}: stride 1, pad 0, groups 1 (the backward reads the defaults too). When conv_forward
    itself fails on {}, that is conv_forward's bug: the backward is then checked with the defaults written out."""
    x, w, b = _layer(rng)
    conv_param = {}
    try:
        submission.conv_forward(x.copy(), w.copy(), b.copy(), {})
    except (AssertionError, GraderError):
        raise
    except Exception:  # noqa: BLE001 (the student's forward failed on {}: charged to conv_forward's default tests)
        note("conv_forward fails with conv_param={} (see conv_forward); conv_backward was checked with "
             "{'stride': 1, 'pad': 0, 'groups': 1} instead")
        conv_param = {"stride": 1, "pad": 0, "groups": 1}
    _check_backward(submission, rng, x, w, b, conv_param)


@pytest.mark.task("conv_backward")
def test_backward_batch_of_one_float32(submission, rng):
    """A batch of one, float32 inputs (float32 tolerances)."""
    x, w, b = _layer(rng, N=1, stride=2, pad=1, dtype=np.float32)
    _check_backward(submission, rng, x, w, b, {"stride": 2, "pad": 1, "groups": 1})
