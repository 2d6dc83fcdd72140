"""Hidden tests: batchnorm_backward (staged graph) and batchnorm_backward_alt (closed form, speed)."""

import numpy as np
import pytest

from autograder.testing import assert_close, best_time

BACKWARDS = [
    pytest.param("batchnorm_backward", marks=pytest.mark.task("bn_backward"), id="staged"),
    pytest.param("batchnorm_backward_alt", marks=pytest.mark.task("bn_backward_alt"), id="alt"),
]


def _grad_hints(x, gamma, dout, eps):
    N = x.shape[0]
    mu, var = x.mean(axis=0), x.var(axis=0)
    ivar = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * ivar
    g = dout * gamma
    return {
        "dx": {
            "treated the batch mean and variance as constants (only the direct branch)": g * ivar,
            "dropped the variance branch (the gradient through var)": ivar * (g - g.mean(axis=0)),
            "dropped the mean branch (the gradient through mu)": ivar * (g - xhat * (g * xhat).mean(axis=0)),
            "forgot gamma in dx": ivar * (dout - dout.mean(axis=0) - xhat * (dout * xhat).mean(axis=0)),
            "forgot a 1/N factor": (ivar / N) * (g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0)),
        },
        "dgamma": {
            "used x instead of the normalised xhat": (dout * x).sum(axis=0),
            "averaged instead of summed over the batch": (dout * xhat).mean(axis=0),
        },
        "dbeta": {"averaged instead of summed over the batch": dout.mean(axis=0)},
    }


def _case(submission, h, rng, name, N, D, kind, dtype=np.float64, eps=None):
    x = h.make_data(rng, (N, D), kind).astype(dtype)
    gamma, beta = (a.astype(dtype) for a in h.make_affine(rng, D))
    dout = rng.standard_normal((N, D)).astype(dtype)
    used_eps = 1e-5 if eps is None else eps
    bn_param = {"mode": "train"} if eps is None else {"mode": "train", "eps": eps}
    _, *expected = h.torch_layer(
        lambda xt, gt, bt: h.F.batch_norm(xt, None, None, gt, bt, training=True, eps=used_eps), x, gamma, beta, dout
    )
    _, cache = submission.batchnorm_forward(*h.copies(x, gamma, beta), bn_param)
    result = getattr(submission, name)(dout.copy(), cache)
    x64, g64, d64 = (a.astype(np.float64) for a in (x, gamma, dout))
    h.check_grads(result, expected, dtype, _grad_hints(x64, g64, d64, used_eps))


@pytest.mark.parametrize("name", BACKWARDS)
def test_gradients_random_shapes(submission, h, rng, name):
    """dx, dgamma, dbeta match torch autograd on random shapes."""
    for _ in range(3):
        _case(submission, h, rng, name, int(rng.integers(3, 65)), int(rng.integers(2, 40)), "normal")


@pytest.mark.parametrize("name", BACKWARDS)
def test_gradients_large_mean_and_variance(submission, h, rng, name):
    """Gradients for features of mean ~1e3 and std ~1e2."""
    _case(submission, h, rng, name, int(rng.integers(8, 65)), int(rng.integers(2, 20)), "large")


@pytest.mark.parametrize("name", BACKWARDS)
def test_gradients_small_variance(submission, h, rng, name):
    """Gradients where the variance (~1e-6) is comparable to eps (default and custom)."""
    _case(submission, h, rng, name, int(rng.integers(8, 65)), int(rng.integers(2, 20)), "small")
    _case(submission, h, rng, name, int(rng.integers(8, 65)), int(rng.integers(2, 20)), "small", eps=3e-6)


@pytest.mark.parametrize("name", BACKWARDS)
def test_gradients_single_feature_small_batch(submission, h, rng, name):
    """D = 1 and small batches."""
    _case(submission, h, rng, name, 3, 1, "normal")
    _case(submission, h, rng, name, 4, int(rng.integers(2, 8)), "normal")


@pytest.mark.parametrize("name", BACKWARDS)
def test_gradients_float32(submission, h, rng, name):
    """float32 inputs, float32 tolerances."""
    _case(submission, h, rng, name, int(rng.integers(8, 65)), int(rng.integers(2, 30)), "normal", dtype=np.float32)


@pytest.mark.task("bn_backward_alt")
def test_alt_is_vectorised(submission, h, rng):
    """batchnorm_backward_alt on a (65536, 8) batch is correct and at most 8x (+2 ms) slower than the closed form."""
    N, D = 65536, 8
    x = h.make_data(rng, (N, D), "normal")
    gamma, beta = h.make_affine(rng, D)
    dout = rng.standard_normal((N, D))
    _, cache = submission.batchnorm_forward(*h.copies(x, gamma, beta), {"mode": "train"})
    result, seconds = submission.timed("batchnorm_backward_alt", dout.copy(), cache, repeat=7)

    mu, var = x.mean(axis=0), x.var(axis=0)
    ivar = 1.0 / np.sqrt(var + 1e-5)
    xhat = (x - mu) * ivar

    def closed_form(dout, xhat, gamma, ivar):
        g = dout * gamma
        dx = (ivar / N) * (N * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0))
        return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)

    expected = closed_form(dout, xhat, gamma, ivar)
    reference_seconds = best_time(closed_form, dout, xhat, gamma, ivar, repeat=7)
    h.check_grads(result, expected)
    limit = 8 * reference_seconds + 2e-3
    if seconds > limit:
        raise AssertionError(
            f"batchnorm_backward_alt took {seconds * 1e3:.1f} ms on a (65536, 8) batch; the closed form takes "
            f"{reference_seconds * 1e3:.1f} ms and the limit is {limit * 1e3:.1f} ms. The point of the closed form is "
            "a few whole-array operations, with no Python loop over the batch"
        )
