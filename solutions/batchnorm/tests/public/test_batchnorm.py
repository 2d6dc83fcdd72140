"""Public tests: batch norm forward (train/test), backward (staged graph) and backward_alt (closed form).

Expected values were computed from the reference solution and frozen; inputs are fixed.
"""

import numpy as np
import pytest


def _data():
    rng = np.random.default_rng(0)
    N, D = 8, 5
    x = 2.0 + 3.0 * rng.standard_normal((N, D)) + np.arange(D)
    gamma = rng.uniform(0.5, 1.5, D)
    beta = rng.uniform(-1, 1, D)
    dout = rng.standard_normal((N, D))
    return x, gamma, beta, dout


def _bn(x, gamma, beta, eps=1e-5, ddof=0):
    return gamma * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=ddof) + eps) + beta


@pytest.mark.task("bn_forward")
def test_forward_train(submission, frozen):
    """Train mode: zero mean / unit variance per feature before gamma and beta."""
    x, gamma, beta, _ = _data()
    out, _ = submission.batchnorm_forward(x.copy(), gamma, beta, {"mode": "train"})
    frozen.check("train.out", out, hints={
        "used the unbiased variance (ddof=1); batch norm divides by N": _bn(x, gamma, beta, ddof=1),
        "normalised each row (axis 1) instead of each feature (axis 0)":
            (gamma * (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-5) + beta),
        "forgot gamma and beta": _bn(x, 1.0, 0.0),
    })
    # With gamma = 1 and beta = 0 the output has (almost) zero mean and unit variance per feature.
    plain, _ = submission.batchnorm_forward(x.copy(), np.ones(5), np.zeros(5), {"mode": "train"})
    frozen.check("train.plain_mean", plain.mean(axis=0), atol=1e-7)
    frozen.check("train.plain_std", plain.std(axis=0), atol=1e-6)


@pytest.mark.task("bn_forward")
def test_running_statistics_and_test_mode(submission, frozen):
    """Two train steps update running_mean/var (CS231n's rule), then test mode uses them."""
    x, gamma, beta, _ = _data()
    bn_param = {"mode": "train", "momentum": 0.8}
    submission.batchnorm_forward(x.copy(), gamma, beta, bn_param)
    m = 0.8
    frozen.check("running.mean1", bn_param["running_mean"], hints={
        "used torch's convention: momentum weighs the new batch mean": m * x.mean(0),
        "did not store running_mean back in bn_param (or forgot the update)": np.zeros(5),
    })
    frozen.check("running.var1", bn_param["running_var"], hints={
        "updated running_var with the unbiased variance": m + (1 - m) * x.var(0, ddof=1),
        "used torch's convention: momentum weighs the new batch variance": (1 - m) + m * x.var(0),
        "started running_var at zeros (CS231n's starter does); this course starts it at ones": (1 - m) * x.var(0),
    })
    submission.batchnorm_forward(2 * x[::-1].copy() + 1, gamma, beta, bn_param)
    frozen.check("running.mean2", bn_param["running_mean"])
    frozen.check("running.var2", bn_param["running_var"])
    bn_param["mode"] = "test"
    x_test = x[:3] - 1.0
    out, _ = submission.batchnorm_forward(x_test.copy(), gamma, beta, bn_param)
    frozen.check("test.out", out, hints={
        "normalised with the statistics of the test batch; test mode uses the running ones": _bn(x_test, gamma, beta),
    })
    frozen.check("test.running_mean_unchanged", bn_param["running_mean"])


@pytest.mark.task("bn_forward")
def test_forward_eps(submission, frozen):
    """A feature whose variance is comparable to eps: eps goes inside the square root."""
    rng = np.random.default_rng(0)
    x = 1e-3 * rng.standard_normal((6, 3))
    out, _ = submission.batchnorm_forward(x.copy(), np.ones(3), np.zeros(3), {"mode": "train", "eps": 1e-5})
    frozen.check("eps.out", out, hints={
        "added eps outside the square root (sqrt(var) + eps)": (x - x.mean(0)) / (np.sqrt(x.var(0)) + 1e-5),
        "forgot eps": (x - x.mean(0)) / np.sqrt(x.var(0)),
    })


def _grad_hints(x, gamma, dout):
    ivar = 1 / np.sqrt(x.var(0) + 1e-5)
    xhat = (x - x.mean(0)) * ivar
    g = dout * gamma
    return {
        "dx": {
            "treated the batch mean and variance as constants": g * ivar,
            "dropped the branch through the variance": ivar * (g - g.mean(0)),
        },
        "dgamma": {"used x instead of the normalised xhat": (dout * x).sum(0)},
        "dbeta": {"averaged over the batch instead of summing": dout.mean(0)},
    }


@pytest.mark.task("bn_backward")
def test_backward(submission, frozen):
    """dx, dgamma, dbeta of the staged-graph backward."""
    x, gamma, beta, dout = _data()
    _, cache = submission.batchnorm_forward(x.copy(), gamma, beta, {"mode": "train"})
    dx, dgamma, dbeta = submission.batchnorm_backward(dout.copy(), cache)
    hints = _grad_hints(x, gamma, dout)
    frozen.check("backward.dx", dx, hints=hints["dx"])
    frozen.check("backward.dgamma", dgamma, hints=hints["dgamma"])
    frozen.check("backward.dbeta", dbeta, hints=hints["dbeta"])


@pytest.mark.task("bn_backward_alt")
def test_backward_alt(submission, frozen):
    """The closed form gives the same gradients as the staged graph."""
    x, gamma, beta, dout = _data()
    _, cache = submission.batchnorm_forward(x.copy(), gamma, beta, {"mode": "train"})
    dx, dgamma, dbeta = submission.batchnorm_backward_alt(dout.copy(), cache)
    hints = _grad_hints(x, gamma, dout)
    hints["dx"]["forgot gamma in dx"] = (
        (1 / np.sqrt(x.var(0) + 1e-5)) * (dout - dout.mean(0) - ((x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5))
                                         * (dout * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)).mean(0))
    )
    frozen.check("alt.dx", dx, hints=hints["dx"])
    frozen.check("alt.dgamma", dgamma, hints=hints["dgamma"])
    frozen.check("alt.dbeta", dbeta, hints=hints["dbeta"])
