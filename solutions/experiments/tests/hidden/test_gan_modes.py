"""Hidden tests: the toy GAN's data and its mode-collapse metric (ring_of_gaussians, mode_coverage).

ring_of_gaussians, statistically: every sample lies near one of the contract's
centres (within 8 std: a Gaussian sample falls outside with probability e^-32);
the residuals from the nearest centre have mean 0 and std ``std`` per coordinate,
and each mode holds n / modes samples, all within 6 standard errors (false failure
below 1e-7 overall). mode_coverage, exactly: on samples built by the test (some
modes hit, one below the 1% line, samples at 2.5 and 3.5 std, far-away junk).
"""

import math

import numpy as np
import pytest

from autograder.testing import ComparisonFailure, assert_close, assert_scalar_close

pytestmark = pytest.mark.task("gan_modes")


def _centres(modes, radius):
    angles = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def test_ring_samples_follow_the_mixture(submission, rng):
    """Near the right centres, residual std = std, n / modes per mode (random modes, radius and std); seeded."""
    n, modes, seed = 8000, int(rng.integers(3, 11)), int(rng.integers(0, 2**31 - 1))
    radius, std = float(rng.uniform(1, 5)), float(rng.uniform(0.01, 0.08))
    samples = np.asarray(submission.ring_of_gaussians(n, modes=modes, radius=radius, std=std, seed=seed), dtype=np.float64)
    again = submission.ring_of_gaussians(n, modes=modes, radius=radius, std=std, seed=seed)
    assert_close(again, samples, name="samples with the same seed", rtol=0, atol=0)
    if samples.shape != (n, 2):
        raise AssertionError(f"samples: shape {samples.shape}, expected (n, 2) = {(n, 2)}")
    centres = _centres(modes, radius)
    distances = np.linalg.norm(samples[:, None, :] - centres[None], axis=2)
    nearest = distances.argmin(axis=1)
    far = float(np.mean(distances.min(axis=1) > 8 * std))
    residuals = samples - centres[nearest]
    if far:
        # Noise scaled by sqrt(std) (std taken for a variance) puts samples this far out: name that mistake when the
        # residuals spread as that mixture's do (the test's own 100000 draws of it, measured the same way).
        mistaken = centres[rng.integers(0, modes, 100_000)] + math.sqrt(std) * rng.standard_normal((100_000, 2))
        mistaken_residuals = mistaken - centres[np.linalg.norm(mistaken[:, None, :] - centres[None], axis=2).argmin(axis=1)]
        try:
            assert_close(residuals.std(axis=0), np.full(2, std), name=f"residual std per coordinate ({100 * far:.1f}% of the samples "
                         "are more than 8 std from every centre)", rtol=6 / math.sqrt(2 * n), atol=0,
                         hints={"ring_std_as_variance": mistaken_residuals.std(axis=0)})
        except ComparisonFailure as failure:
            if failure.hint is not None:
                raise
        raise AssertionError(f"{100 * far:.1f}% of the samples are more than 8 std from every centre: centre k is "
                             "radius * (cos(2 pi k / modes), sin(2 pi k / modes)), and the noise is std * N(0, I) (std, not variance)")
    assert_close(residuals.mean(axis=0), np.zeros(2), name="mean residual from the nearest centre", rtol=0, atol=6 * std / math.sqrt(n))
    assert_close(residuals.std(axis=0), np.full(2, std), name="residual std per coordinate", rtol=6 / math.sqrt(2 * n), atol=0)
    counts = np.bincount(nearest, minlength=modes)
    p = 1 / modes
    assert_close(counts, np.full(modes, n * p), name="samples per mode", rtol=0, atol=6 * math.sqrt(n * p * (1 - p)))


def _coverage(samples, modes, radius, std):
    distances = np.linalg.norm(samples[:, None, :] - _centres(modes, radius)[None], axis=2)
    good = distances.min(axis=1) <= 3 * std
    counts = np.bincount(distances.argmin(axis=1)[good], minlength=modes)
    return int(np.sum(counts >= 0.01 * len(samples))), float(np.mean(good))


def test_mode_coverage_counts_high_quality_samples(submission, rng):
    """Modes hit and the high-quality fraction on a built sample set (values away from every threshold)."""
    modes, radius, std = int(rng.integers(6, 11)), float(rng.uniform(1.5, 3)), 0.02
    centres = _centres(modes, radius)
    hit = rng.choice(modes, size=int(rng.integers(2, modes - 2)), replace=False)
    parts = []
    for k in hit:  # well inside 3 std
        direction = rng.standard_normal((100, 2))
        parts.append(centres[k] + direction / np.linalg.norm(direction, axis=1, keepdims=True) * rng.uniform(0, 2.5 * std, (100, 1)))
    rare = [k for k in range(modes) if k not in hit][0]
    parts.append(centres[rare] + np.array([[0.5 * std, 0.0]] * 3))  # a mode with too few samples to count
    direction = rng.standard_normal((60, 2))
    near_misses = centres[rng.integers(0, modes, 60)] + direction / np.linalg.norm(direction, axis=1, keepdims=True) * 3.5 * std
    parts.append(near_misses)  # close to a centre, but not within 3 std
    parts.append(rng.uniform(-0.3, 0.3, (150, 2)))  # junk in the middle of the ring
    samples = np.concatenate(parts)[rng.permutation(sum(len(p) for p in parts))]
    result = submission.mode_coverage(samples.copy(), modes=modes, radius=radius, std=std)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise AssertionError(f"mode_coverage: expected a pair (modes_hit, high_quality_fraction), got {type(result).__name__}")
    expected_hit, expected_fraction = _coverage(samples, modes, radius, std)
    everything = int(np.sum(np.bincount(np.linalg.norm(samples[:, None] - centres[None], axis=2).argmin(axis=1), minlength=modes)
                            >= 0.01 * len(samples)))
    assert_scalar_close(result[0], expected_hit, name="modes_hit", rtol=0, atol=0,
                        hints={"coverage_counts_every_sample": everything,
                               "coverage_any_sample_hits": len(hit) + 1})
    assert_scalar_close(result[1], expected_fraction, name="high_quality_fraction", rtol=1e-12, atol=0,
                        hints={"coverage_within_one_std": _coverage(samples, modes, radius, std / 3)[1]})


def test_mode_coverage_of_the_true_distribution(submission, rng):
    """Samples of the ring itself (the test's own): every mode hit, about 99% high quality."""
    modes, n = 8, 4000
    which = rng.integers(0, modes, n)
    samples = _centres(modes, 2.0)[which] + 0.02 * rng.standard_normal((n, 2))
    expected_hit, expected_fraction = _coverage(samples, modes, 2.0, 0.02)
    hit, fraction = submission.mode_coverage(samples.copy())
    assert_scalar_close(hit, expected_hit, name="modes_hit (defaults: 8 modes, radius 2, std 0.02)", rtol=0, atol=0)
    assert_scalar_close(fraction, expected_fraction, name="high_quality_fraction (defaults)", rtol=1e-12, atol=0)
