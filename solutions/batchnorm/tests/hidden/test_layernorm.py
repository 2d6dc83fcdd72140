"""Hidden tests: layernorm_forward / layernorm_backward (oracle torch.nn.functional.layer_norm).

ln_param gives eps in every test except test_default_eps. Backward tests go through check_backward:
a wrong forward costs the forward tests, not the backward ones.
"""

import numpy as np
import pytest

from helpers import as64, check, check_layer_backward, layernorm, make_affine, make_data, normalise

pytestmark = pytest.mark.task("layernorm")


def _inputs(rng, N, D, kind, dtype):
    """x (N, D) with per-row means and scales, plus per-column offsets so that the normalisation axis matters."""
    x = make_data(rng, (N, D), kind, feature_axes=(0,))
    x = (x + rng.uniform(-1, 1, size=(1, D)) * np.median(np.std(x, axis=1))).astype(dtype)
    gamma, beta = make_affine(rng, D, dtype)
    return x, gamma, beta


def _forward_hints(x, gamma, beta, eps):
    hints = {"unbiased_variance": gamma * normalise(x, 1, eps, ddof=1) + beta}
    if x.shape[0] > 1:
        hints["batch_statistics"] = gamma * normalise(x, 0, eps) + beta
    return hints


def _forward(submission, rng, N, D, kind, dtype=np.float64, eps=1e-5, ln_param=None):
    x, gamma, beta = _inputs(rng, N, D, kind, dtype)
    expected, _ = layernorm(x, gamma, beta, eps)
    out, _ = submission.layernorm_forward(x.copy(), gamma.copy(), beta.copy(), {"eps": eps} if ln_param is None else ln_param)
    check(out, expected, "out", dtype, _forward_hints(*as64(x, gamma, beta), eps))


def _backward(submission, rng, N, D, kind, dtype=np.float64, eps=1e-5):
    x, gamma, beta = _inputs(rng, N, D, kind, dtype)
    dout = rng.standard_normal((N, D)).astype(dtype)
    check_layer_backward(submission, "layernorm_forward", "layernorm_backward", (x, gamma, beta, {"eps": eps}), dout,
                         layernorm(x, gamma, beta, eps, dout), forward_task="layernorm", dtype=dtype)


def test_forward_random_shapes(submission, rng):
    """Forward matches torch on random shapes (N != D)."""
    for _ in range(3):
        N = int(rng.integers(2, 40))
        _forward(submission, rng, N, N + int(rng.integers(1, 20)), "normal")


def test_forward_large_magnitudes(submission, rng):
    """Forward with rows of mean ~1e3 and std ~1e2."""
    _forward(submission, rng, int(rng.integers(2, 30)), int(rng.integers(3, 40)), "large")


def test_forward_small_variance_eps(submission, rng):
    """Forward where the variance is comparable to eps (ln_param['eps'] = 1e-5 and 3e-6)."""
    _forward(submission, rng, int(rng.integers(2, 30)), int(rng.integers(3, 40)), "small")
    _forward(submission, rng, int(rng.integers(2, 30)), int(rng.integers(3, 40)), "small", eps=3e-6)


def test_default_eps(submission, rng):
    """Without ln_param['eps'] (ln_param = {}), eps is 1e-5 (variances comparable to it)."""
    _forward(submission, rng, int(rng.integers(2, 30)), int(rng.integers(3, 40)), "small", ln_param={})


def test_backward_random_shapes(submission, rng):
    """dx, dgamma, dbeta match torch autograd."""
    for _ in range(3):
        _backward(submission, rng, int(rng.integers(2, 40)), int(rng.integers(3, 40)), "normal")


def test_batch_of_one(submission, rng):
    """N = 1 is well defined for layer norm (forward and backward)."""
    _forward(submission, rng, 1, int(rng.integers(3, 40)), "normal")
    _backward(submission, rng, 1, int(rng.integers(3, 40)), "normal")


def test_backward_large_and_small(submission, rng):
    """Backward for large magnitudes and for variances comparable to eps."""
    _backward(submission, rng, int(rng.integers(2, 30)), int(rng.integers(3, 40)), "large")
    _backward(submission, rng, int(rng.integers(2, 30)), int(rng.integers(3, 40)), "small")


def test_float32(submission, rng):
    """float32 inputs, float32 tolerances (forward and backward)."""
    _forward(submission, rng, int(rng.integers(2, 40)), int(rng.integers(8, 40)), "normal", dtype=np.float32)
    _backward(submission, rng, int(rng.integers(2, 40)), int(rng.integers(8, 40)), "normal", dtype=np.float32)
