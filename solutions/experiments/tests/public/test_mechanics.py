"""Public tests: the deterministic parts, on fixed inputs, against frozen reference values.

Inputs are passed as copies: your code may modify its arguments in place.
"""

import numpy as np
import pytest


def _logistic_data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 6))
    y = (rng.random(80) < 1 / (1 + np.exp(-(2 * X[:, 0] - 2 * X[:, 1])))).astype(np.float64)
    return X, y


@pytest.mark.task("train_mlp")
def test_train_mlp(submission, frozen):
    """train_mlp on 30 samples, batch size 7 (a smaller last batch), 3 epochs, lr 0.2, seed 1, hidden 8."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=50)
    X = rng.standard_normal((50, 4)) + 1.5 * y[:, None]
    result = submission.train_mlp(X[:30].copy(), y[:30].copy(), X[30:].copy(), y[30:].copy(), 7, 3, 0.2, seed=1, hidden=8)
    frozen.check("train_mlp.updates", result["updates"], rtol=0, atol=0, hints={"dropped the last, smaller batch": 3 * (30 // 7)})
    frozen.check("train_mlp.train_loss", np.asarray(result["train_loss"]), rtol=2e-4, atol=1e-6)
    frozen.check("train_mlp.test_accuracy", result["test_accuracy"], rtol=0, atol=0.021)


@pytest.mark.task("l1_vs_l2")
def test_l1_vs_l2(submission, frozen):
    """l1_vs_l2 with reg 0.05 at the defaults (500 steps of 0.1): proximal gradient (exact zeros) and L2 gradient descent."""
    X, y = _logistic_data()
    w_l1, w_l2 = submission.l1_vs_l2(X.copy(), y.copy(), 0.05)
    frozen.check("l1_vs_l2.w_l1", w_l1, rtol=1e-6, atol=1e-8)
    frozen.check("l1_vs_l2.w_l2", w_l2, rtol=1e-6, atol=1e-8)
    frozen.check("l1_vs_l2.l1_zeros", np.sum(np.asarray(w_l1) == 0), rtol=0, atol=0)


@pytest.mark.task("dropout_variance")
def test_dropout_variance(submission, frozen):
    """The closed form for mean 2, var 1, p 0.5 and for mean 0, var 3, p 0.2."""
    for key, args in (("a", (2.0, 1.0, 0.5)), ("b", (0.0, 3.0, 0.2))):
        train_var, test_var = submission.dropout_variance(*args)
        mean, var, p = args
        frozen.check(f"dropout_variance.{key}.train", train_var, rtol=1e-12,
                     hints={"forgot the mean's contribution, (mean^2) * p / (1 - p)": var / (1 - p)})
        frozen.check(f"dropout_variance.{key}.test", test_var, rtol=1e-12)


@pytest.mark.task("checkerboard")
def test_checkerboard(submission, frozen):
    """Counts for kernel 3 / stride 2 (uneven) and kernel 4 / stride 2 (even) on a 4x4 input; has_checkerboard of both and of kernel 1 / stride 2."""
    frozen.check("checkerboard.k3s2", submission.checkerboard_counts(3, 2, 4), rtol=0, atol=0)
    frozen.check("checkerboard.k4s2", submission.checkerboard_counts(4, 2, 4), rtol=0, atol=0)
    answers = [bool(submission.has_checkerboard(k, s)) for k, s in ((3, 2), (4, 2), (1, 2), (6, 3))]
    frozen.check("checkerboard.has", np.array(answers, dtype=np.int64), rtol=0, atol=0)


@pytest.mark.task("capacity")
def test_polynomial_fit_errors(submission, frozen):
    """Train/test MSE of degrees 0, 1, 3, 9 and 12 on 14 noisy samples of sin(0.6 x), x in [0, 10]."""
    rng = np.random.default_rng(0)
    x = np.linspace(0, 10, 14)
    y = np.sin(0.6 * x) + 0.3 * rng.standard_normal(14)
    x_test = rng.uniform(0, 10, 50)
    y_test = np.sin(0.6 * x_test) + 0.3 * rng.standard_normal(50)
    train, test = submission.polynomial_fit_errors(x.copy(), y.copy(), x_test.copy(), y_test.copy(), [0, 1, 3, 9, 12])
    frozen.check("polynomial.train_mse", train, rtol=1e-6, atol=1e-12)
    frozen.check("polynomial.test_mse", test, rtol=1e-6, atol=1e-12)


@pytest.mark.task("pca")
def test_pca(submission, frozen):
    """pca of 50 samples of 4 features with distinct variances and a mean far from 0, k = 2 (each row's sign normalised here)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4)) * np.array([3.0, 2.0, 1.0, 0.5]) + 5.0
    components, ratio = submission.pca(X.copy(), 2)
    components = np.asarray(components, dtype=np.float64)
    signs = np.sign(components[np.arange(components.shape[0]), np.argmax(np.abs(components), axis=1)])
    frozen.check("pca.components", components * signs[:, None], rtol=1e-6, atol=1e-8,
                 hints={"returned a (D, k) array (rows are the components)": components})
    frozen.check("pca.explained_variance_ratio", ratio, rtol=1e-6)


@pytest.mark.task("gan_modes")
def test_mode_coverage(submission, frozen):
    """mode_coverage of a generator that found 3 of the 8 modes, plus samples between them."""
    rng = np.random.default_rng(0)
    angles = 2 * np.pi * np.array([0, 1, 5]) / 8
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    samples = np.concatenate([centres[rng.integers(0, 3, 300)] + 0.02 * rng.standard_normal((300, 2)), rng.uniform(-2, 2, (100, 2))])
    modes_hit, fraction = submission.mode_coverage(samples.copy())
    frozen.check("mode_coverage.modes_hit", modes_hit, rtol=0, atol=0)
    frozen.check("mode_coverage.high_quality_fraction", fraction, rtol=1e-12)
