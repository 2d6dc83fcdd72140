"""Hidden tests: layernorm_forward / layernorm_backward (oracle torch.nn.functional.layer_norm)."""

import numpy as np
import pytest

pytestmark = pytest.mark.task("layernorm")


def _case(submission, h, rng, N, D, kind, dtype=np.float64, eps=None, backward=True):
    # Per-row means and scales so that the normalisation axis matters.
    x = h.make_data(rng, (N, D), kind, feature_axes=(0,)).astype(dtype)
    x = x + (rng.uniform(-1, 1, size=(1, D)) * np.median(np.std(x, axis=1))).astype(dtype)
    gamma, beta = (a.astype(dtype) for a in h.make_affine(rng, D))
    dout = rng.standard_normal((N, D)).astype(dtype) if backward else None
    used_eps = 1e-5 if eps is None else eps
    ln_param = {} if eps is None else {"eps": eps}
    out_e, *grads_e = h.torch_layer(
        lambda xt, gt, bt: h.F.layer_norm(xt, (D,), gt, bt, eps=used_eps), x, gamma, beta, dout
    )
    x64, g64, b64 = (a.astype(np.float64) for a in (x, gamma, beta))
    mu_r, var_r = x64.mean(axis=1, keepdims=True), x64.var(axis=1, keepdims=True)
    hints = {
        "used the unbiased variance (ddof=1); layer norm uses the biased one":
            g64 * (x64 - mu_r) / np.sqrt(x64.var(axis=1, ddof=1, keepdims=True) + used_eps) + b64,
        "added eps outside the square root": g64 * (x64 - mu_r) / (np.sqrt(var_r) + used_eps) + b64,
    }
    if N > 1:
        hints["normalised over the batch (axis 0) like batch norm; layer norm normalises each sample over its features"] = (
            g64 * (x64 - x64.mean(0)) / np.sqrt(x64.var(0) + used_eps) + b64
        )
    out, cache = submission.layernorm_forward(*h.copies(x, gamma, beta), ln_param)
    h.check(out, out_e, "out", dtype, hints)
    if backward:
        result = submission.layernorm_backward(dout.copy(), cache)
        d64 = dout.astype(np.float64)
        h.check_grads(result, grads_e, dtype, {
            "dgamma": {"used x instead of the normalised xhat": (d64 * x64).sum(axis=0)},
            "dx": {"treated the per-sample mean and variance as constants": d64 * g64 / np.sqrt(var_r + used_eps)},
        })


def test_forward_random_shapes(submission, h, rng):
    """Forward matches torch on random shapes (N != D)."""
    for _ in range(3):
        N = int(rng.integers(2, 40))
        D = N + int(rng.integers(1, 20))
        _case(submission, h, rng, N, D, "normal", backward=False)


def test_forward_large_magnitudes(submission, h, rng):
    """Forward with rows of mean ~1e3 and std ~1e2."""
    _case(submission, h, rng, int(rng.integers(2, 30)), int(rng.integers(3, 40)), "large", backward=False)


def test_forward_small_variance_eps(submission, h, rng):
    """Forward where the variance is comparable to eps (default 1e-5 and a custom one)."""
    _case(submission, h, rng, int(rng.integers(2, 30)), int(rng.integers(3, 40)), "small", backward=False)
    _case(submission, h, rng, int(rng.integers(2, 30)), int(rng.integers(3, 40)), "small", eps=3e-6, backward=False)


def test_backward_random_shapes(submission, h, rng):
    """dx, dgamma, dbeta match torch autograd."""
    for _ in range(3):
        _case(submission, h, rng, int(rng.integers(2, 40)), int(rng.integers(3, 40)), "normal")


def test_batch_of_one(submission, h, rng):
    """N = 1 is well defined for layer norm (forward and backward)."""
    _case(submission, h, rng, 1, int(rng.integers(3, 40)), "normal")


def test_backward_large_and_small(submission, h, rng):
    """Backward for large magnitudes and for variances comparable to eps."""
    _case(submission, h, rng, int(rng.integers(2, 30)), int(rng.integers(3, 40)), "large")
    _case(submission, h, rng, int(rng.integers(2, 30)), int(rng.integers(3, 40)), "small")


def test_float32(submission, h, rng):
    """float32 inputs, float32 tolerances (forward and backward)."""
    _case(submission, h, rng, int(rng.integers(2, 40)), int(rng.integers(8, 40)), "normal", dtype=np.float32)
