"""Hidden tests: batchnorm_backward (staged graph) and batchnorm_backward_alt (closed form, speed).

The cache comes from the student's batchnorm_forward (train mode, bn_param given in full);
check_backward grades the gradients against torch when that forward is right, and against
the gradient of the student's own forward when it is not, so a forward bug costs bn_forward only.
"""

import numpy as np
import pytest

from autograder.testing import best_time

from helpers import as64, batchnorm_backward_hints, batchnorm_train, check_layer_backward, make_affine, make_data, make_running

BACKWARDS = [
    pytest.param("batchnorm_backward", marks=pytest.mark.task("bn_backward"), id="staged"),
    pytest.param("batchnorm_backward_alt", marks=pytest.mark.task("bn_backward_alt"), id="alt"),
]


def _case(submission, rng, name, N, D, kind, dtype=np.float64, eps=1e-5):
    x = make_data(rng, (N, D), kind).astype(dtype)
    gamma, beta = make_affine(rng, D, dtype)
    dout = rng.standard_normal((N, D)).astype(dtype)
    running_mean, running_var = make_running(rng, D, dtype)
    bn_param = {"mode": "train", "eps": eps, "momentum": 0.9, "running_mean": running_mean, "running_var": running_var}
    check_layer_backward(submission, "batchnorm_forward", name, (x, gamma, beta, bn_param), dout,
                         batchnorm_train(x, gamma, beta, eps, dout), forward_task="bn_forward", dtype=dtype,
                         hints=batchnorm_backward_hints(*as64(x, gamma, dout), eps))


@pytest.mark.parametrize("name", BACKWARDS)
def test_gradients_random_shapes(submission, rng, name):
    """dx, dgamma, dbeta match torch autograd on random shapes."""
    for _ in range(3):
        _case(submission, rng, name, int(rng.integers(3, 65)), int(rng.integers(2, 40)), "normal")


@pytest.mark.parametrize("name", BACKWARDS)
def test_gradients_large_mean_and_variance(submission, rng, name):
    """Gradients for features of mean ~1e3 and std ~1e2."""
    _case(submission, rng, name, int(rng.integers(8, 65)), int(rng.integers(2, 20)), "large")


@pytest.mark.parametrize("name", BACKWARDS)
def test_gradients_small_variance(submission, rng, name):
    """Gradients where the variance (~1e-6) is comparable to eps (1e-5 and 3e-6)."""
    _case(submission, rng, name, int(rng.integers(8, 65)), int(rng.integers(2, 20)), "small")
    _case(submission, rng, name, int(rng.integers(8, 65)), int(rng.integers(2, 20)), "small", eps=3e-6)


@pytest.mark.parametrize("name", BACKWARDS)
def test_gradients_single_feature_small_batch(submission, rng, name):
    """D = 1 and small batches."""
    _case(submission, rng, name, 3, 1, "normal")
    _case(submission, rng, name, 4, int(rng.integers(2, 8)), "normal")


@pytest.mark.parametrize("name", BACKWARDS)
def test_gradients_float32(submission, rng, name):
    """float32 inputs, float32 tolerances."""
    _case(submission, rng, name, int(rng.integers(8, 65)), int(rng.integers(2, 30)), "normal", dtype=np.float32)


@pytest.mark.task("bn_backward_alt")
def test_alt_is_vectorised(submission, rng):
    """batchnorm_backward_alt on a (65536, 8) batch is correct (graded like the other tests) and at most 8x (+2 ms)
    slower than the closed form."""
    N, D = 65536, 8
    x = make_data(rng, (N, D), "normal")
    gamma, beta = make_affine(rng, D)
    dout = rng.standard_normal((N, D))
    bn_param = {"mode": "train", "eps": 1e-5, "momentum": 0.9, "running_mean": np.zeros(D), "running_var": np.ones(D)}

    mu, var = x.mean(axis=0), x.var(axis=0)
    ivar = 1.0 / np.sqrt(var + 1e-5)
    xhat = (x - mu) * ivar

    def closed_form(dout, xhat, gamma, ivar):
        g = dout * gamma
        dx = (ivar / N) * (N * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0))
        return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)

    out = gamma * xhat + beta
    check_layer_backward(submission, "batchnorm_forward", "batchnorm_backward_alt", (x, gamma, beta, bn_param), dout,
                         (out, closed_form(dout, xhat, gamma, ivar)), forward_task="bn_forward")
    _, cache = submission.batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), dict(bn_param))
    _, seconds = submission.timed("batchnorm_backward_alt", dout.copy(), cache, repeat=7)
    reference_seconds = best_time(closed_form, dout, xhat, gamma, ivar, repeat=7)
    limit = 8 * reference_seconds + 2e-3
    if seconds > limit:
        raise AssertionError(
            f"batchnorm_backward_alt took {seconds * 1e3:.1f} ms on a (65536, 8) batch; the closed form takes "
            f"{reference_seconds * 1e3:.1f} ms and the limit is {limit * 1e3:.1f} ms. The point of the closed form is "
            "a few whole-array operations, with no Python loop over the batch"
        )
