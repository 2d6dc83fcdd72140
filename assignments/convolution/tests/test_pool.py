"""Public tests: max and average pooling (fixed inputs)."""

import numpy as np
import pytest


def _hint(frozen, key, description, transform):
    return {} if frozen.recording else {description: transform(frozen.value(key))}


PARAMS = {"pool_height": 3, "pool_width": 2, "stride": 1}   # overlapping, non-square windows


@pytest.mark.task("max_pool")
def test_max_pool(submission, frozen):
    """Overlapping 3x2 windows with stride 1: forward and backward."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 6))
    out, cache = submission.max_pool_forward(x.copy(), dict(PARAMS))
    frozen.check("max.out", out)
    dx = submission.max_pool_backward(rng.standard_normal(out.shape), cache)
    frozen.check("max.dx", dx)


@pytest.mark.task("max_pool")
def test_max_pool_ties(submission, frozen):
    """A constant image: every entry ties, so each window's gradient goes to its top-left entry."""
    x = np.ones((1, 1, 4, 4))
    out, cache = submission.max_pool_forward(x.copy(), {"pool_height": 2, "pool_width": 2, "stride": 2})
    dx = submission.max_pool_backward(np.ones(out.shape), cache)
    frozen.check("max_ties.dx", dx,
                 hints={"sent the gradient to every tied maximum (send it to the first one only)": np.ones((1, 1, 4, 4))})


@pytest.mark.task("avg_pool")
def test_avg_pool(submission, frozen):
    """Overlapping 3x2 windows with stride 1, then 2x2 with stride 2: forward and backward."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 6))
    out, cache = submission.avg_pool_forward(x.copy(), dict(PARAMS))
    frozen.check("avg.out", out)
    dx = submission.avg_pool_backward(rng.standard_normal(out.shape), cache)
    frozen.check("avg.dx", dx, hints=_hint(frozen, "avg.dx", "forgot to divide by the window size (3x2)",
                                           lambda v: v * 6))
    out, cache = submission.avg_pool_forward(x.copy(), {"pool_height": 2, "pool_width": 2, "stride": 2})
    frozen.check("avg2.out", out)
    frozen.check("avg2.dx", submission.avg_pool_backward(np.ones(out.shape), cache))
