"""Hidden tests: the variance shift of inverted dropout (dropout_variance, simulate_dropout_variance).

Mechanics: the closed form to 1e-12 (train: (var + mean^2) / (1 - p) - mean^2; test:
var); the simulation within 6 standard errors of the closed form (the standard
error of a sample variance from the output's fourth central moment; a correct
submission fails with probability about 2e-9 per comparison), and its spread
over 8 seeds consistent with that error (sd ratio in [0.1, 3]: chi-square with 7
degrees of freedom, false failure below 1e-6).
"""

import math

import numpy as np
import pytest

from autograder.testing import assert_close, assert_scalar_close

pytestmark = pytest.mark.task("dropout_variance")


def _closed_form(mean, var, p):
    return (var + mean**2) / (1 - p) - mean**2, var


def _sample_variance_se(mean, var, p, n):
    """Standard errors of the sample variances of Y = X * mask / (1 - p) and of X, X ~ N(mean, var), from n samples."""
    q = 1 - p
    raw = [1.0, mean, mean**2 + var, mean**3 + 3 * mean * var, mean**4 + 6 * mean**2 * var + 3 * var**2]  # E[X^k]
    y = [raw[k] * q ** (1 - k) if k else 1.0 for k in range(5)]  # E[Y^k] = E[X^k] * q / q^k
    var_y = y[2] - y[1] ** 2
    mu4_y = y[4] - 4 * y[1] * y[3] + 6 * y[1] ** 2 * y[2] - 3 * y[1] ** 4
    return math.sqrt((mu4_y - var_y**2) / n), math.sqrt(2 * var**2 / n)


def _pair(value, name):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise AssertionError(f"{name}: expected a pair (train_var, test_var), got {type(value).__name__}")
    return float(np.asarray(value[0])), float(np.asarray(value[1]))


def test_closed_form(submission, rng):
    """(train_var, test_var) for random mean, var and p (p = 0 and mean = 0 included)."""
    cases = [(0.0, float(rng.uniform(0.5, 2)), float(rng.uniform(0.1, 0.9))), (float(rng.uniform(1, 3)), 1.0, 0.0)]
    cases += [(float(rng.uniform(-3, 3)), float(rng.uniform(0.1, 4)), float(rng.uniform(0.05, 0.95))) for _ in range(4)]
    for mean, var, p in cases:
        train, test = _pair(submission.dropout_variance(mean, var, p), "dropout_variance")
        expected_train, expected_test = _closed_form(mean, var, p)
        assert_scalar_close(train, expected_train, name=f"train_var (mean={mean:.3g}, var={var:.3g}, p={p:.3g})", rtol=1e-12, atol=1e-12,
                            hints={"dropout_variance_without_mean": var / (1 - p),
                                   "dropout_variance_keep_probability": (var + mean**2) / p - mean**2 if p else math.nan})
        assert_scalar_close(test, expected_test, name=f"test_var (mean={mean:.3g}, var={var:.3g}, p={p:.3g})", rtol=1e-12, atol=1e-12,
                            hints={"dropout_test_variance_scaled": var / (1 - p),
                                   "dropout_test_variance_times_keep": var * (1 - p) ** 2})


def test_simulation_within_sampling_error(submission, rng):
    """The simulated variances agree with the closed form within 6 standard errors (n = 40000), for a large p and two moderate ones."""
    n = 40000
    # First a zero-mean unit and a large p, where the hints can tell the mistakes apart: keeping a unit with probability p
    # (the keep-probability convention) is far from dropping it with probability p (not so near p = 0.5), each mistake's
    # variance is smaller than the right one's (so is its sampling error, and 6 standard errors of the right one cover it),
    # and without the mean's contribution the two mistakes stay further apart than that tolerance.
    for mean, var, p in ((0.0, float(rng.uniform(0.5, 2)), float(rng.uniform(0.6, 0.8))),
                         (float(rng.uniform(1, 3)), float(rng.uniform(0.5, 2)), float(rng.uniform(0.2, 0.6))),
                         (0.0, float(rng.uniform(0.5, 2)), float(rng.uniform(0.2, 0.6)))):
        train, test = _pair(submission.simulate_dropout_variance(mean, var, p, n, seed=int(rng.integers(0, 2**31 - 1))),
                            "simulate_dropout_variance")
        expected_train, expected_test = _closed_form(mean, var, p)
        se_train, se_test = _sample_variance_se(mean, var, p, n)
        assert_scalar_close(train, expected_train, name=f"simulated train_var (mean={mean:.3g}, var={var:.3g}, p={p:.3g})",
                            rtol=0, atol=6 * se_train,
                            hints={"simulate_dropout_unscaled": (1 - p) * (var + mean**2) - ((1 - p) * mean) ** 2,
                                   "simulate_dropout_keep_probability": (var + mean**2) / p - mean**2})
        assert_scalar_close(test, expected_test, name=f"simulated test_var (mean={mean:.3g}, var={var:.3g}, p={p:.3g})",
                            rtol=0, atol=6 * se_test)


def test_simulation_is_random_and_seeded(submission, rng):
    """The same seed gives the same numbers; over 8 seeds the estimates scatter like sampling error (a real mask)."""
    mean, var, p, n = float(rng.uniform(0.5, 2)), 1.0, 0.5, 2000
    seeds = [int(s) for s in rng.integers(0, 2**31 - 1, size=8)]
    trains = np.array([_pair(submission.simulate_dropout_variance(mean, var, p, n, seed=s), "simulate_dropout_variance")[0] for s in seeds])
    again = _pair(submission.simulate_dropout_variance(mean, var, p, n, seed=seeds[0]), "simulate_dropout_variance")[0]
    assert_scalar_close(again, trains[0], name="simulated train_var with the same seed", rtol=0, atol=0)
    se_train, _ = _sample_variance_se(mean, var, p, n)
    ratio = float(np.std(trains, ddof=1)) / se_train
    assert 0.1 <= ratio <= 3, (f"the simulated train_var over 8 seeds has a spread of {ratio:.3g} standard errors (expected about 1): "
                               + ("is it computed rather than simulated, or is the seed ignored?" if ratio < 0.1 else
                                  "far noisier than n samples allow"))
