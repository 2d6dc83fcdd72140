"""Hidden tests: conv_forward / conv_backward against torch.nn.functional.conv2d (float64)."""

import numpy as np
import pytest

from autograder.testing import assert_close, best_time, float32_tolerances


def _layer(rng, ref, N=None, C=None, F=None, groups=1, stride=1, pad=0, square=False, kernel=None, dtype=np.float64):
    """Random x, w, b for a layer whose output has at least one pixel; non-square unless square=True;
    kernel=(kh, kw) fixes the kernel (the input stays non-square)."""
    sh, sw = ref.pair(stride)
    ph, pw = ref.pair(pad)
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
        if ref.out_size(H, kh, sh, ph) >= 1 and ref.out_size(W, kw, sw, pw) >= 1:
            break
    x = rng.standard_normal((N, C, H, W)).astype(dtype)
    w = rng.standard_normal((F, C // groups, kh, kw)).astype(dtype)
    b = rng.standard_normal(F).astype(dtype)
    return x, w, b


def _check_forward(submission, ref, x, w, b, conv_param, name, **tol):
    stride, pad, groups = conv_param.get("stride", 1), conv_param.get("pad", 0), conv_param.get("groups", 1)
    expected = ref.conv2d(x, w, b, stride, pad, groups)
    flipped = ref.conv2d(x, w[:, :, ::-1, ::-1], b, stride, pad, groups)
    out, _ = submission.conv_forward(x.copy(), w.copy(), b.copy(), dict(conv_param))
    assert_close(out, expected, name=name, **tol,
                 hints={"flipped the kernel (deep-learning 'convolution' is cross-correlation: no flip)": flipped,
                        "forgot the bias": expected - b.reshape(1, -1, 1, 1)})


def _check_backward(submission, ref, rng, x, w, b, conv_param, label, **tol):
    stride, pad, groups = conv_param.get("stride", 1), conv_param.get("pad", 0), conv_param.get("groups", 1)
    out = ref.conv2d(x, w, b, stride, pad, groups)
    dout = rng.standard_normal(out.shape).astype(x.dtype)
    _, (dx, dw, db) = ref.conv2d(x, w, b, stride, pad, groups, dout=dout)
    _, cache = submission.conv_forward(x.copy(), w.copy(), b.copy(), dict(conv_param))
    got_dx, got_dw, got_db = submission.conv_backward(dout.copy(), cache)
    N = x.shape[0]
    assert_close(got_db, db, name=f"db{label}", **tol,
                 hints={"averaged db over the batch instead of summing": db / N})
    assert_close(got_dw, dw, name=f"dw{label}", **tol,
                 hints={"averaged dw over the batch instead of summing": dw / N,
                        "flipped the kernel": dw[:, :, ::-1, ::-1]})
    assert_close(got_dx, dx, name=f"dx{label}", **tol)


# ----------------------------------------------------------------- forward


@pytest.mark.task("conv_forward")
def test_forward_basic(submission, rng, ref):
    """Square input and 3x3 kernel, stride 1, pad 1."""
    x, w, b = _layer(rng, ref, stride=1, pad=1, square=True)
    _check_forward(submission, ref, x, w, b, {"stride": 1, "pad": 1}, "out")


@pytest.mark.task("conv_forward")
def test_forward_stride2_pad_nonsquare(submission, rng, ref):
    """Non-square input and kernel, stride 2 (not always dividing the size), padding 1 and 2."""
    for pad in (1, 2):
        x, w, b = _layer(rng, ref, stride=2, pad=pad)
        _check_forward(submission, ref, x, w, b, {"stride": 2, "pad": pad}, f"out (stride 2, pad {pad})")


@pytest.mark.task("conv_forward")
def test_forward_pair_stride_pad(submission, rng, ref):
    """(h, w) pairs for stride and pad."""
    for stride, pad in (((1, 2), (2, 0)), ((2, 3), (0, 1))):
        x, w, b = _layer(rng, ref, stride=stride, pad=pad)
        _check_forward(submission, ref, x, w, b, {"stride": stride, "pad": pad}, f"out (stride {stride}, pad {pad})")


@pytest.mark.task("conv_forward")
def test_forward_groups(submission, rng, ref):
    """groups=2 and 3: each filter sees only its block of consecutive channels."""
    for groups in (2, 3):
        x, w, b = _layer(rng, ref, groups=groups, stride=1, pad=1)
        _check_forward(submission, ref, x, w, b, {"stride": 1, "pad": 1, "groups": groups}, f"out (groups={groups})")


@pytest.mark.task("conv_forward")
def test_forward_depthwise(submission, rng, ref):
    """Depthwise convolution (MobileNet): groups == C, with channel multiplier 1 and 2."""
    C = int(rng.integers(3, 6))
    for multiplier in (1, 2):
        x, w, b = _layer(rng, ref, C=C, F=C * multiplier, groups=C, stride=2, pad=1)
        _check_forward(submission, ref, x, w, b, {"stride": 2, "pad": 1, "groups": C},
                       f"out (depthwise, groups=C={C}, F={C * multiplier})")


@pytest.mark.task("conv_forward")
def test_forward_pointwise(submission, rng, ref):
    """1x1 (pointwise) kernels with padding and stride: the padding still adds zero-input border pixels."""
    for stride, pad in ((2, 1), ((1, 2), (2, 0))):
        x, w, b = _layer(rng, ref, stride=stride, pad=pad, kernel=(1, 1))
        _check_forward(submission, ref, x, w, b, {"stride": stride, "pad": pad}, f"out (1x1 kernel, stride {stride}, pad {pad})")


@pytest.mark.task("conv_forward")
def test_forward_default_params(submission, rng, ref):
    """Missing conv_param keys take their defaults (stride 1, pad 0, groups 1)."""
    x, w, b = _layer(rng, ref)
    _check_forward(submission, ref, x, w, b, {}, "out (conv_param={})")
    x, w, b = _layer(rng, ref, stride=2)
    _check_forward(submission, ref, x, w, b, {"stride": 2}, "out (conv_param={'stride': 2})")


@pytest.mark.task("conv_forward")
def test_forward_batch_of_one_float32(submission, rng, ref):
    """A batch of one, float32 inputs (float32 tolerances)."""
    x, w, b = _layer(rng, ref, N=1, stride=2, pad=1, dtype=np.float32)
    _check_forward(submission, ref, x, w, b, {"stride": 2, "pad": 1}, "out (float32, N=1)", **float32_tolerances)


@pytest.mark.task("conv_forward")
def test_forward_speed(submission, rng, ref):
    """Speed: N=8, C=8 -> F=16, 16x16 images, 3x3 kernel, pad 1, against an im2col + einsum reference."""
    x = rng.standard_normal((8, 8, 16, 16))
    w = rng.standard_normal((16, 8, 3, 3))
    b = rng.standard_normal(16)
    expected = ref.conv2d(x, w, b, 1, 1)
    out, _ = submission.conv_forward(x.copy(), w.copy(), b.copy(), {"stride": 1, "pad": 1})
    assert_close(out, expected, name="out")
    _, seconds = submission.timed("conv_forward", x, w, b, {"stride": 1, "pad": 1}, repeat=5)
    reference = best_time(ref.conv_reference, x, w, b, 1, 1, repeat=5)
    limit = 10 * reference + 0.030
    if seconds > limit:
        raise AssertionError(
            f"conv_forward took {seconds * 1e3:.1f} ms, more than {limit * 1e3:.1f} ms (10x an im2col + matrix"
            " multiply reference + 30 ms): a Python loop per output pixel (or over images and filters) is too slow;"
            " build the layer on im2col and one matrix multiply")


# ----------------------------------------------------------------- backward


@pytest.mark.task("conv_backward")
def test_backward_basic(submission, rng, ref):
    """Square input and 3x3 kernel, stride 1, pad 1."""
    x, w, b = _layer(rng, ref, stride=1, pad=1, square=True)
    _check_backward(submission, ref, rng, x, w, b, {"stride": 1, "pad": 1}, "")


@pytest.mark.task("conv_backward")
def test_backward_stride2_pad_nonsquare(submission, rng, ref):
    """Non-square input and kernel, stride 2 and 3 (not always dividing: some inputs get no gradient), padding."""
    for stride, pad in ((2, 1), (3, 2)):
        x, w, b = _layer(rng, ref, stride=stride, pad=pad)
        _check_backward(submission, ref, rng, x, w, b, {"stride": stride, "pad": pad}, f" (stride {stride}, pad {pad})")


@pytest.mark.task("conv_backward")
def test_backward_pair_stride_pad(submission, rng, ref):
    """(h, w) pairs for stride and pad."""
    x, w, b = _layer(rng, ref, stride=(2, 1), pad=(0, 2))
    _check_backward(submission, ref, rng, x, w, b, {"stride": (2, 1), "pad": (0, 2)}, " (stride (2, 1), pad (0, 2))")


@pytest.mark.task("conv_backward")
def test_backward_pointwise(submission, rng, ref):
    """1x1 (pointwise) kernel with stride 2 and padding 1."""
    x, w, b = _layer(rng, ref, stride=2, pad=1, kernel=(1, 1))
    _check_backward(submission, ref, rng, x, w, b, {"stride": 2, "pad": 1}, " (1x1 kernel, stride 2, pad 1)")


@pytest.mark.task("conv_backward")
def test_backward_groups(submission, rng, ref):
    """groups=2, and depthwise (groups == C, channel multiplier 2)."""
    x, w, b = _layer(rng, ref, groups=2, stride=1, pad=1)
    _check_backward(submission, ref, rng, x, w, b, {"stride": 1, "pad": 1, "groups": 2}, " (groups=2)")
    C = int(rng.integers(3, 6))
    x, w, b = _layer(rng, ref, C=C, F=2 * C, groups=C, stride=2, pad=1)
    _check_backward(submission, ref, rng, x, w, b, {"stride": 2, "pad": 1, "groups": C}, f" (depthwise, groups={C})")


@pytest.mark.task("conv_backward")
def test_backward_batch_of_one_float32(submission, rng, ref):
    """A batch of one, float32 inputs (float32 tolerances)."""
    x, w, b = _layer(rng, ref, N=1, stride=2, pad=1, dtype=np.float32)
    _check_backward(submission, ref, rng, x, w, b, {"stride": 2, "pad": 1}, " (float32, N=1)", **float32_tolerances)
