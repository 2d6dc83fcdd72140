# task: mixture
# Moves class 1 by the separation along the first coordinate only (the notes: "a mean separated by 1 in every dimension").
# hint: mixture_shift_first_coordinate
def gaussian_mixture(n, dim=12, separation=1.0, seed=0):
    rng = np.random.default_rng(seed)
    half = n // 2
    X = rng.standard_normal((n, dim))
    X[half:, 0] += separation
    y = np.concatenate([np.zeros(half, dtype=np.int64), np.ones(half, dtype=np.int64)])
    order = rng.permutation(n)
    return X[order], y[order]
