# task: pca
# claim: reduction_throws_the_signal_away
# Eigen-decomposes the covariance with numpy.linalg.eigh and takes its first columns, but eigh
# sorts the eigenvalues in ascending order: the "first" component is the one of least variance.
def pca(X, k):
    X = np.asarray(X, dtype=np.float64)
    centred = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred / (len(X) - 1))
    return vectors[:, :k].T, values[:k] / values.sum()
