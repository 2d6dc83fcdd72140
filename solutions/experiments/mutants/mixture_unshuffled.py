# task: mixture
# Returns the rows sorted by label (all zeros, then all ones): forgot to shuffle.
def gaussian_mixture(n, dim=12, separation=1.0, seed=0):
    rng = np.random.default_rng(seed)
    half = n // 2
    X = rng.standard_normal((n, dim))
    X[half:] += separation
    y = np.concatenate([np.zeros(half, dtype=np.int64), np.ones(half, dtype=np.int64)])
    return X, y
