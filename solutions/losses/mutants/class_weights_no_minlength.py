# task: class_weights
# np.bincount(y) without minlength: a missing highest class gives a short count vector with no zero, so no ValueError.
def balanced_class_weights(y, n_classes):
    y = np.asarray(y).astype(np.int64)
    counts = np.bincount(y)
    if np.any(counts == 0):
        raise ValueError("every class must occur in y at least once")
    return y.size / (n_classes * counts.astype(np.float64))
