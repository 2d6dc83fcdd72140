# task: pca
# Takes the SVD of X itself, without subtracting the mean of each feature.
# hint: pca_not_centred
def pca(X, k):
    X = np.asarray(X, dtype=np.float64)
    _, singular, vt = np.linalg.svd(X, full_matrices=False)
    variance = singular**2
    return vt[:k], variance[:k] / variance.sum()
