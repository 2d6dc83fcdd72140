"""Public tests: transposed convolution (fixed inputs)."""

import numpy as np
import pytest


def _layer(shape=(2, 3, 3, 4), F=2, kernel=(3, 3)):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    w = rng.standard_normal((shape[1], F) + kernel)
    b = rng.standard_normal(F)
    return x, w, b


@pytest.mark.task("conv_transpose")
def test_transpose_checkerboard(submission, frozen):
    """A constant input, stride 2, 3x3 kernel of ones, no padding: the output shows the checkerboard
    (pixels covered by 1, 2 or 4 kernel copies)."""
    x = np.ones((1, 1, 3, 3))
    w = np.ones((1, 1, 3, 3))
    out, _ = submission.conv_transpose_forward(x, w, np.zeros(1), {"stride": 2})
    frozen.check("checkerboard.out", out)


@pytest.mark.task("conv_transpose")
def test_transpose_forward_backward(submission, frozen):
    """Stride 2, pad 1, then (h, w) pairs with a non-square kernel: forward and backward."""
    x, w, b = _layer()
    out, cache = submission.conv_transpose_forward(x.copy(), w.copy(), b.copy(), {"stride": 2, "pad": 1})
    frozen.check("stride2.out", out)
    dx, dw, db = submission.conv_transpose_backward(np.random.default_rng(1).standard_normal(out.shape), cache)
    frozen.check("stride2.dx", dx)
    frozen.check("stride2.dw", dw)
    frozen.check("stride2.db", db)
    x, w, b = _layer(kernel=(2, 3))
    out, cache = submission.conv_transpose_forward(x.copy(), w.copy(), b.copy(), {"stride": (1, 2), "pad": (0, 1)})
    frozen.check("pairs.out", out)
    dx, dw, db = submission.conv_transpose_backward(np.random.default_rng(2).standard_normal(out.shape), cache)
    frozen.check("pairs.dx", dx)
    frozen.check("pairs.dw", dw)
