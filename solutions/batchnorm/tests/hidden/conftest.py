"""Harness-side helpers shared by the hidden batchnorm tests.

Everything here runs in the trusted harness: torch oracles (float64), input
generators and float32-aware comparisons. Inputs given to the submission are
always copies, so a submission that modifies its arguments in place cannot
change what the oracle sees.
"""

from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.testing import assert_close, float32_tolerances


def make_data(rng, shape, kind="normal", feature_axes=(1,)):
    """Random float64 data of ``shape``.

    kind: "normal"  per-feature means in [-3, 3] and scales in [0.5, 2.5];
          "large"   mean ~1e3, std ~1e2 (per-feature jitter);
          "small"   std ~1e-3 (eps is then comparable to the variance);
          "offset"  means 20 to 30 times the std (scales as for "normal"): in float32 a
                    one-pass variance E[x^2] - E[x]^2 cancels catastrophically there,
                    while the two-pass mean((x - mean)^2) keeps float32 accuracy.
    feature_axes: the axes whose entries get their own mean/scale (shape of the
    broadcast parameters, e.g. (1,) for D in (N, D) or C in (N, C, H, W)).
    """
    pshape = [1] * len(shape)
    for axis in feature_axes:
        pshape[axis] = shape[axis]
    if kind == "normal":
        loc = rng.uniform(-3, 3, size=pshape)
        scale = rng.uniform(0.5, 2.5, size=pshape)
    elif kind == "large":
        loc = 1e3 * rng.uniform(0.8, 1.2, size=pshape) * rng.choice([-1.0, 1.0], size=pshape)
        scale = 1e2 * rng.uniform(0.5, 1.5, size=pshape)
    elif kind == "small":
        loc = rng.uniform(-1, 1, size=pshape)
        scale = 1e-3 * rng.uniform(0.5, 2.0, size=pshape)
    elif kind == "offset":
        scale = rng.uniform(0.5, 2.5, size=pshape)
        loc = scale * rng.uniform(20, 30, size=pshape) * rng.choice([-1.0, 1.0], size=pshape)
    else:
        raise ValueError(kind)
    return loc + scale * rng.standard_normal(shape)


def make_affine(rng, n):
    """gamma (away from 0, both signs) and beta, shape (n,)."""
    gamma = rng.uniform(0.5, 2.0, size=n) * rng.choice([-1.0, 1.0], size=n)
    beta = rng.uniform(-2, 2, size=n)
    return gamma, beta


def torch_layer(fn, x, gamma, beta, dout):
    """Run ``fn(xt, gt, bt)`` on float64 torch copies; return (out, dx, dgamma, dbeta) as numpy."""
    xt = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    gt = torch.tensor(np.asarray(gamma, dtype=np.float64), requires_grad=True)
    bt = torch.tensor(np.asarray(beta, dtype=np.float64), requires_grad=True)
    out = fn(xt, gt, bt)
    if dout is None:
        return out.detach().numpy(), None, None, None
    out.backward(torch.tensor(np.asarray(dout, dtype=np.float64)))
    return out.detach().numpy(), xt.grad.numpy(), gt.grad.numpy(), bt.grad.numpy()


def tolerances(dtype, expected):
    """Comparison tolerances: API defaults for float64; float32 ones scaled by the value's size."""
    if np.dtype(dtype) == np.float32:
        scale = max(1.0, float(np.max(np.abs(expected)))) if np.size(expected) else 1.0
        return {"rtol": float32_tolerances["rtol"], "atol": float32_tolerances["atol"] * scale}
    return {"rtol": 1e-6, "atol": 1e-8}


def check(actual, expected, name, dtype=np.float64, hints=None):
    assert_close(actual, expected, name=name, hints=hints, **tolerances(dtype, expected))


def check_grads(result, expected, dtype=np.float64, hints=None):
    """Compare a backward's (dx, dgamma, dbeta) with the oracle's; ``hints`` maps value name -> hints."""
    hints = hints or {}
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise AssertionError("a backward pass must return a tuple (dx, dgamma, dbeta)")
    for value, reference, name in zip(result, expected, ("dx", "dgamma", "dbeta")):
        check(value, reference, name, dtype, hints.get(name))


def copies(*arrays):
    return tuple(np.array(a, copy=True) for a in arrays)


@pytest.fixture
def h():
    """The helpers above, as a fixture (test modules are imported by path)."""
    return SimpleNamespace(
        make_data=make_data,
        make_affine=make_affine,
        torch_layer=torch_layer,
        tolerances=tolerances,
        check=check,
        check_grads=check_grads,
        copies=copies,
        torch=torch,
        F=F,
    )
