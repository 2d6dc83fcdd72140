"""Hidden tests: under- and over-fitting with polynomial fits (polynomial_fit_errors).

Mechanics: train and test MSE against numpy.polynomial.Polynomial.fit to 1e-6
(x in [0, 10], degrees up to 15 and below the number of training points, in any
order). Claim: on 16 noisy samples of sin(0.6 x), the training error never rises
with the degree (0 to 15) and the test error is U-shaped: its minimum is at an
inner degree, and degrees 0 and 15 are both at least 1.5 times worse (graded on
the majority of 5 seeds).
"""

import numpy as np
import pytest
from numpy.polynomial import Polynomial

from autograder.claims import Verdict, claim
from autograder.testing import assert_close

pytestmark = pytest.mark.task("capacity")


def _oracle(x_train, y_train, x_test, y_test, degrees):
    fits = [Polynomial.fit(x_train, y_train, int(d)) for d in degrees]
    return (np.array([np.mean((f(x_train) - y_train) ** 2) for f in fits]),
            np.array([np.mean((f(x_test) - y_test) ** 2) for f in fits]))


def _sine_data(rng, n, m=200, noise=0.3):
    """n training points spread over [0, 10] (jittered grid), m test points inside their range."""
    x_train = np.clip(np.linspace(0, 10, n) + rng.uniform(-0.15, 0.15, n), 0, 10)
    x_test = rng.uniform(x_train.min(), x_train.max(), m)
    f = lambda x: np.sin(0.6 * x)  # noqa: E731
    return x_train, f(x_train) + noise * rng.standard_normal(n), x_test, f(x_test) + noise * rng.standard_normal(m)


def _pair(value, length):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise AssertionError(f"polynomial_fit_errors: expected a pair (train_mse, test_mse), got {type(value).__name__}")
    return tuple(np.asarray(v, dtype=np.float64) for v in value)


def test_errors_match_polynomial_fit(submission, rng):
    """train_mse and test_mse equal Polynomial.fit's to 1e-6 (degrees in random order, up to min(15, n - 1))."""
    n = int(rng.integers(16, 30))
    x_train, y_train, x_test, y_test = _sine_data(rng, n)
    order = rng.permutation(x_train.size)  # training points in any order
    x_train, y_train = x_train[order], y_train[order]
    degrees = [int(d) for d in rng.permutation(np.arange(min(15, n - 1) + 1))[:8]] + [min(15, n - 1)]
    train, test = _pair(submission.polynomial_fit_errors(x_train.copy(), y_train.copy(), x_test.copy(), y_test.copy(), degrees), 2)
    expected_train, expected_test = _oracle(x_train, y_train, x_test, y_test, degrees)
    scale = float(np.mean(y_train**2))
    # d coefficients instead of d + 1: degree d - 1, and for degree 0 no coefficient at all (the fit is 0, its error mean(y ** 2))
    one_short = _oracle(x_train, y_train, x_test, y_test, [max(d - 1, 0) for d in degrees])[0]
    one_short[np.asarray(degrees) == 0] = scale
    assert_close(train, expected_train, name="train_mse", rtol=1e-6, atol=1e-9 * scale,
                 hints={"polynomial_degree_one_short": one_short})
    assert_close(test, expected_test, name="test_mse", rtol=1e-6, atol=1e-9 * scale,
                 hints={"test_error_on_training_points": expected_train})


@claim(task="capacity", seeds=5)
def capacity_trades_under_for_over_fitting(submission, seed):
    """Fitting degrees 0-15 to 16 noisy samples of sin(0.6 x): training error never rises, test error is U-shaped (lowest at an inner degree, degrees 0 and 15 at least 1.5 times worse)."""
    rng = np.random.default_rng(seed)
    x_train, y_train, x_test, y_test = _sine_data(rng, 16)
    train, test = _pair(submission.polynomial_fit_errors(x_train, y_train, x_test, y_test, list(range(16))), 2)
    if train.shape != (16,) or test.shape != (16,):
        return Verdict(False, f"expected 16 errors each, got shapes {train.shape} and {test.shape}")
    monotone = bool(np.all(np.diff(train) <= 1e-9 * max(train[0], 1e-12)))
    best = int(np.argmin(test))
    u_shaped = 0 < best < 15 and test[0] >= 1.5 * test[best] and test[-1] >= 1.5 * test[best]
    return Verdict(monotone and u_shaped, f"training error {'never rises' if monotone else 'rises somewhere'}; test error lowest at "
                                          f"degree {best} ({test[best]:.3g}), {test[0]:.3g} at degree 0, {test[-1]:.3g} at degree 15")


def test_claim_test_error_is_u_shaped(submission, rng):
    """Claim (5 seeds, majority): training error falls with the degree, test error is U-shaped."""
    capacity_trades_under_for_over_fitting.check(submission, rng)
