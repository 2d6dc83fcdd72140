# task: pca
# Divides the kept variances by their own sum instead of the total variance of the data: the ratios always
# add up to 1, even when k < D components leave variance out.
# hint: pca_ratio_of_kept_variance
def pca(X, k):
    X = np.asarray(X, dtype=np.float64)
    centred = X - X.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    variance = singular[:k] ** 2
    return vt[:k], variance / variance.sum()
