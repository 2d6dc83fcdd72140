"""Public tests: conv_forward and conv_backward (fixed inputs)."""

import numpy as np
import pytest


def _hint(frozen, key, description, transform):
    return {} if frozen.recording else {description: transform(frozen.value(key))}


def _layer(C=3, F=4, groups=1, shape=(2, 5, 6), kernel=(3, 2)):
    rng = np.random.default_rng(0)
    N, H, W = shape
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((F, C // groups) + kernel)
    b = rng.standard_normal(F)
    return x, w, b


@pytest.mark.task("conv_forward")
def test_conv_forward(submission, frozen):
    """Stride 1 pad 1, then stride 2 pad 1 (non-square input and kernel)."""
    x, w, b = _layer()
    out, _ = submission.conv_forward(x.copy(), w.copy(), b.copy(), {"stride": 1, "pad": 1})
    frozen.check("forward.stride1", out)
    out, _ = submission.conv_forward(x.copy(), w.copy(), b.copy(), {"stride": 2, "pad": 1})
    frozen.check("forward.stride2", out)


@pytest.mark.task("conv_forward")
def test_conv_forward_groups(submission, frozen):
    """groups=2 and depthwise (groups == C), plus (h, w) pairs and a default conv_param."""
    x, w, b = _layer(C=4, F=6, groups=2)
    out, _ = submission.conv_forward(x.copy(), w.copy(), b.copy(), {"pad": 1, "groups": 2})
    frozen.check("forward.groups2", out)
    x, w, b = _layer(C=3, F=3, groups=3)
    out, _ = submission.conv_forward(x.copy(), w.copy(), b.copy(), {"stride": (1, 2), "pad": (1, 0), "groups": 3})
    frozen.check("forward.depthwise", out)
    x, w, b = _layer()
    out, _ = submission.conv_forward(x.copy(), w.copy(), b.copy(), {})
    frozen.check("forward.defaults", out)


@pytest.mark.task("conv_backward")
def test_conv_backward(submission, frozen):
    """dx, dw, db for stride 2, pad 1."""
    x, w, b = _layer()
    out, cache = submission.conv_forward(x.copy(), w.copy(), b.copy(), {"stride": 2, "pad": 1})
    dout = np.random.default_rng(1).standard_normal(out.shape)
    dx, dw, db = submission.conv_backward(dout, cache)
    frozen.check("backward.db", db, hints=_hint(frozen, "backward.db", "averaged db over the batch", lambda v: v / 2))
    frozen.check("backward.dw", dw, hints=_hint(frozen, "backward.dw", "averaged dw over the batch", lambda v: v / 2))
    frozen.check("backward.dx", dx)


@pytest.mark.task("conv_backward")
def test_conv_backward_groups(submission, frozen):
    """dx, dw, db for a grouped convolution (groups=2), stride 1, pad 1."""
    x, w, b = _layer(C=4, F=6, groups=2)
    out, cache = submission.conv_forward(x.copy(), w.copy(), b.copy(), {"pad": 1, "groups": 2})
    dout = np.random.default_rng(1).standard_normal(out.shape)
    dx, dw, db = submission.conv_backward(dout, cache)
    frozen.check("backward_groups.db", db)
    frozen.check("backward_groups.dw", dw)
    frozen.check("backward_groups.dx", dx)
