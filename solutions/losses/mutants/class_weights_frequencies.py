# task: class_weights
# Returns n_samples / count without the 1 / n_classes factor.
# hint: class_weights_without_n_classes
def balanced_class_weights(y, n_classes):
    counts = np.bincount(np.asarray(y), minlength=n_classes)
    if np.any(counts == 0):
        raise ValueError("absent class")
    return len(y) / counts
