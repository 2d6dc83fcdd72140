# task: class_weights
# No check for absent classes: returns inf for them instead of raising ValueError.
def balanced_class_weights(y, n_classes):
    counts = np.bincount(np.asarray(y), minlength=n_classes)
    with np.errstate(divide="ignore"):
        return len(y) / (n_classes * counts)
