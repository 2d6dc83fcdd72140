"""Hidden tests: PCA and when unsupervised reduction hurts (pca, pca_can_hurt).

Mechanics: components and explained-variance ratios against
sklearn.decomposition.PCA, up to each component's sign, to 1e-6 (distinct
variances, data far from the origin so centring matters, a tall and a wide set).
Claim: on the notes' kind of data (the classes differ only along the
low-variance direction) a linear classifier reaches at least 0.85 held-out
accuracy on both features and at most 0.65 on the first principal component
(graded on the majority of 5 seeds).
"""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from autograder.claims import Verdict, claim
from autograder.testing import assert_close

pytestmark = pytest.mark.task("pca")


def _data(rng, n, d):
    """Distinct variances along a random orthonormal basis, mean far from 0."""
    basis, _ = np.linalg.qr(rng.standard_normal((d, d)))
    scales = np.sort(rng.uniform(0.5, 1.0, d))[::-1] * np.geomspace(4, 0.5, d)
    return (rng.standard_normal((n, d)) * scales) @ basis.T + rng.uniform(3, 6, d)


def _check_pca(submission, X, k):
    result = submission.pca(X.copy(), k)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise AssertionError(f"pca: expected a pair (components, explained_variance_ratio), got {type(result).__name__}")
    components, ratio = (np.asarray(v, dtype=np.float64) for v in result)
    oracle = PCA(n_components=k).fit(X)
    expected = oracle.components_
    if components.shape != expected.shape:
        hints = {}
        if components.shape == expected.T.shape:  # the components as columns, each with its own sign
            hints["pca_components_as_columns"] = expected.T * np.where(np.sum(components * expected.T, axis=0) < 0, -1.0, 1.0)
        assert_close(components, expected, name=f"components (k={k})", rtol=1e-6, atol=1e-6, hints=hints)
    signs = np.where(np.sum(components * expected, axis=1) < 0, -1.0, 1.0)
    uncentred = np.linalg.svd(X, full_matrices=False)[2][:k]
    uncentred *= np.where(np.sum(uncentred * expected, axis=1) < 0, -1.0, 1.0)[:, None]
    assert_close(components * signs[:, None], expected, name=f"components (k={k}, up to the sign of each row)", rtol=1e-6, atol=1e-6,
                 hints={"pca_not_centred": uncentred})
    assert_close(ratio, oracle.explained_variance_ratio_, name="explained_variance_ratio", rtol=1e-6, atol=1e-9,
                 hints={"pca_ratio_of_kept_variance": oracle.explained_variance_ / oracle.explained_variance_.sum()})


def test_pca_matches_sklearn_tall(submission, rng):
    """100-300 samples of 4-8 features, k from 1 to D."""
    n, d = int(rng.integers(100, 300)), int(rng.integers(4, 9))
    X = _data(rng, n, d)
    for k in sorted({1, int(rng.integers(2, d)), d}):
        _check_pca(submission, X, k)


def test_pca_matches_sklearn_wide(submission, rng):
    """Fewer samples than features (8 samples of 12 features), k = 3."""
    _check_pca(submission, _data(rng, 8, 12), 3)


def _accuracies(submission, seed):
    result = submission.pca_can_hurt(seed)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise AssertionError(f"pca_can_hurt: expected a pair (accuracy_raw, accuracy_pca1), got {type(result).__name__}")
    return tuple(float(np.asarray(v)) for v in result)


@claim(task="pca", seeds=5)
def reduction_throws_the_signal_away(submission, seed):
    """When the classes differ only along the low-variance direction, a linear classifier reaches at least 0.85 held-out accuracy on both features and at most 0.65 on the first principal component."""
    raw, first = _accuracies(submission, seed)
    if _accuracies(submission, seed) != (raw, first):
        return Verdict(False, "another call with the same seed gave other accuracies: draw everything from the seed")
    return Verdict(raw >= 0.85 and first <= 0.65, f"held-out accuracy {raw:.3f} on both features, {first:.3f} on the first component")


def test_claim_reduction_throws_the_signal_away(submission, rng):
    """Claim (5 seeds, majority): the first principal component keeps the variance and loses the signal."""
    reduction_throws_the_signal_away.check(submission, rng)
