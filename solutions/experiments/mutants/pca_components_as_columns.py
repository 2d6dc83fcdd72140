# task: pca
# Eigen-decomposes the covariance with numpy.linalg.eigh, sorts by decreasing variance, and returns eigh's
# eigenvector columns as they are: a (D, k) array, where the components are the rows of a (k, D) one.
# hint: pca_components_as_columns
def pca(X, k):
    X = np.asarray(X, dtype=np.float64)
    centred = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred / (len(X) - 1))
    order = np.argsort(values)[::-1][:k]
    return vectors[:, order], values[order] / values.sum()
