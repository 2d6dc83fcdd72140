"""Helpers of the hidden batchnorm tests: input generators, torch oracles, and the wrong answers hints name.

Everything here runs in the trusted harness. Oracles are float64 torch computations
(``@oracle``: computed once per input within a batch); running statistics follow
CS231n's rule as API.md states it, so they are computed here from the formula.
Hint helpers compute the value a known mistake gives on the same inputs (the ids
are declared with their sentences in ``hints.toml``).

torch is imported inside the oracles, not here: when every oracle value of a seed comes
from the memo on disk, grading never imports torch (two seconds of a single grading).

Shapes: ``x`` is ``(N, D)`` for batch/layer norm and ``(N, C, H, W)`` for the spatial
layers; ``gamma``/``beta`` are ``(D,)`` or ``(C,)``.
"""

import numpy as np

from autograder.testing import assert_close, check_backward, oracle
from autograder.testing.torch_oracles import tolerances, torch_forward_backward

GRADIENT_NAMES = ("dx", "dgamma", "dbeta")


# --------------------------------------------------------------------------- inputs


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


def make_affine(rng, n, dtype=np.float64):
    """gamma (away from 0, both signs) and beta, shape (n,)."""
    gamma = rng.uniform(0.5, 2.0, size=n) * rng.choice([-1.0, 1.0], size=n)
    beta = rng.uniform(-2, 2, size=n)
    return gamma.astype(dtype), beta.astype(dtype)


def make_running(rng, n, dtype=np.float64):
    """Explicit running statistics (running_mean (n,), running_var (n,) > 0) that are not the defaults."""
    return rng.uniform(-1, 1, size=n).astype(dtype), rng.uniform(0.5, 2.0, size=n).astype(dtype)


def as64(*arrays):
    return tuple(np.asarray(a, dtype=np.float64) for a in arrays)


# --------------------------------------------------------------------------- oracles (torch, float64)


@oracle
def batchnorm_train(x, gamma, beta, eps, dout=None):
    """Train-mode batch norm of x (N, D) or (N, C, H, W): ``(out, (dx, dgamma, dbeta))`` (grads () without dout)."""
    from torch.nn import functional as F

    return torch_forward_backward(lambda xt, gt, bt: F.batch_norm(xt, None, None, gt, bt, training=True, eps=eps),
                                  (x, gamma, beta), dout)


@oracle
def batchnorm_test(x, gamma, beta, running_mean, running_var, eps):
    """Test-mode batch norm with the given running statistics: out, shaped like x."""
    from torch.nn import functional as F

    out, _ = torch_forward_backward(lambda xt, gt, bt, rm, rv: F.batch_norm(xt, rm, rv, gt, bt, training=False, eps=eps),
                                    (x, gamma, beta, running_mean, running_var))
    return out


@oracle
def layernorm(x, gamma, beta, eps, dout=None):
    """Layer norm of x (N, D) over D: ``(out, (dx, dgamma, dbeta))``."""
    from torch.nn import functional as F

    D = x.shape[1]
    return torch_forward_backward(lambda xt, gt, bt: F.layer_norm(xt, (D,), gt, bt, eps=eps), (x, gamma, beta), dout)


@oracle
def groupnorm(x, gamma, beta, G, eps, dout=None):
    """Group norm of x (N, C, H, W) with G groups of consecutive channels: ``(out, (dx, dgamma, dbeta))``."""
    from torch.nn import functional as F

    return torch_forward_backward(lambda xt, gt, bt: F.group_norm(xt, G, gt, bt, eps=eps), (x, gamma, beta), dout)


@oracle
def instancenorm(x, gamma, beta, eps, dout=None):
    """Instance norm of x (N, C, H, W) with affine gamma/beta (C,): ``(out, (dx, dgamma, dbeta))``."""
    from torch.nn import functional as F

    return torch_forward_backward(
        lambda xt, gt, bt: F.instance_norm(xt, weight=gt, bias=bt, use_input_stats=True, eps=eps), (x, gamma, beta), dout)


def running_update(running, batch_stat, momentum):
    """CS231n's rule (API.md): ``momentum * running + (1 - momentum) * batch_stat``."""
    return momentum * running + (1 - momentum) * batch_stat


# --------------------------------------------------------------------------- comparisons


def unambiguous(hints, rtol=1e-3):
    """``hints`` without the ones whose wrong values are within ``rtol`` of another hint's: a value that
    matches two mistakes names neither (eps inside vs outside the root, or left out, all give nearly the
    same output when the variance is far above eps)."""
    if not hints:
        return hints
    values = {key: np.asarray(value, dtype=np.float64) for key, value in hints.items()}
    ambiguous = {a for a in values for b in values if a != b and values[a].shape == values[b].shape
                 and np.allclose(values[a], values[b], rtol=rtol, atol=rtol * float(np.max(np.abs(values[b]), initial=0.0)))}
    return {key: value for key, value in hints.items() if key not in ambiguous}


def check(actual, expected, name, dtype=np.float64, hints=None):
    """assert_close with API.md's tolerances for ``dtype`` (float32 ones scaled by the values' size)."""
    assert_close(actual, expected, name=name, hints=unambiguous(hints), **tolerances(dtype, expected))


def check_layer_backward(submission, forward, backward, args, dout, expected, *, forward_task, dtype=np.float64,
                         hints=None):
    """Grade ``backward`` of a normalisation layer through ``forward(*args)`` with check_backward.

    args: the forward's arguments, ``(x, gamma, beta, ...)``; the backward returns
    ``(dx, dgamma, dbeta)``, the gradients of args 0, 1, 2. expected: ``(out, (dx, dgamma, dbeta))``
    from an oracle. A wrong forward costs only its own task (``forward_task``): the backward
    is then graded against the gradient of the student's own forward.
    """
    out, grads = expected
    grad_tolerances = tolerances(dtype, np.concatenate([np.ravel(g) for g in grads]))
    out_tolerances = tolerances(dtype, out)
    check_backward(submission, forward, backward, args, dout, wrt=(0, 1, 2), expected_out=out, expected_grads=grads,
                   names=GRADIENT_NAMES, forward_task=forward_task, rtol=grad_tolerances["rtol"],
                   atol=grad_tolerances["atol"], out_rtol=out_tolerances["rtol"], out_atol=out_tolerances["atol"],
                   hints={name: unambiguous(value) for name, value in (hints or {}).items()})


def read_running(bn_param, key, step=None):
    """``bn_param[key]`` after a forward call, or a clear failure when the forward did not store it."""
    if key not in bn_param:
        when = f" after train step {step}" if step is not None else ""
        raise AssertionError(f"bn_param has no '{key}'{when}: store the updated running statistics back in bn_param")
    return bn_param[key]


# --------------------------------------------------------------------------- wrong answers that hints name


def normalise(x, axes, eps, ddof=0, eps_outside=False, with_eps=True):
    """(x - mean) / sqrt(var + eps) over ``axes`` (kept), with the variants of known mistakes."""
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, ddof=ddof, keepdims=True)
    if not with_eps:
        return (x - mean) / np.sqrt(var)
    if eps_outside:
        return (x - mean) / (np.sqrt(var) + eps)
    return (x - mean) / np.sqrt(var + eps)


def channel(v):
    """A (C,) parameter broadcast against (N, C, H, W)."""
    return np.asarray(v).reshape(1, -1, 1, 1)


def batchnorm_train_hints(x, gamma, beta, eps):
    """Wrong train-mode outputs of batch norm, x (N, D) float64."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "unbiased_variance": gamma * normalise(x, 0, eps, ddof=1) + beta,
            "eps_outside_sqrt": gamma * normalise(x, 0, eps, eps_outside=True) + beta,
            "forgot_eps": gamma * normalise(x, 0, eps, with_eps=False) + beta,
            "normalised_over_features": gamma * normalise(x, 1, eps) + beta,
        }


def batchnorm_test_hints(x, gamma, beta, running_mean, running_var, eps):
    """Wrong test-mode outputs of batch norm (N, D) float64 with the given running statistics."""
    hints = {
        "eps_outside_sqrt": gamma * (x - running_mean) / (np.sqrt(running_var) + eps) + beta,
        "forgot_eps": gamma * (x - running_mean) / np.sqrt(running_var) + beta,
    }
    if x.shape[0] > 1:  # with one sample the batch statistics give beta, which says nothing
        hints["test_mode_batch_statistics"] = gamma * normalise(x, 0, eps) + beta
    return hints


def running_hints(running_mean, running_var, x, axes, momentum):
    """Wrong running statistics after one train step from (running_mean, running_var) on x:
    ``({hint: wrong running_mean}, {hint: wrong running_var})``."""
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    mean_hints = {
        "torch_momentum": running_update(mean, running_mean, momentum),
        "running_not_stored": running_mean,
    }
    var_hints = {
        "running_var_unbiased": running_update(running_var, x.var(axis=axes, ddof=1), momentum),
        "torch_momentum": running_update(var, running_var, momentum),
        "running_not_stored": running_var,
    }
    return mean_hints, var_hints


def batchnorm_backward_hints(x, gamma, dout, eps, axes=(0,)):
    """Wrong (dx, dgamma, dbeta) of (spatial) batch norm backward with statistics over ``axes``; float64 inputs,
    x and dout (N, D) with axes (0,) or (N, C, H, W) with axes (0, 2, 3)."""
    if x.ndim == 4:
        gamma = channel(gamma)
    count = int(np.prod([x.shape[a] for a in axes]))
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    ivar = 1.0 / np.sqrt(var + eps)
    xhat = (x - mean) * ivar
    g = dout * gamma

    def m(a):
        return a.mean(axis=axes, keepdims=True)

    dxmu = ivar * (g - xhat * m(g * xhat))  # the gradient reaching x - mean through both of its branches
    return {
        "dx": {
            "batch_statistics_constant": g * ivar,
            "dropped_variance_branch": ivar * (g - m(g)),
            "dx_forgot_gamma": ivar * (dout - m(dout) - xhat * m(dout * xhat)),
            "mean_branch_missing_1_over_n": dxmu - count * m(dxmu),
        },
        "dgamma": {
            "dgamma_centred_not_normalised": (dout * (x - mean)).sum(axis=axes),
            "dgamma_used_x": (dout * x).sum(axis=axes),
            "averaged_parameter_gradients": (dout * xhat).mean(axis=axes),
        },
        "dbeta": {"averaged_parameter_gradients": dout.mean(axis=axes)},
    }
