# task: ml_metrics
# Subset accuracy with `any` instead of `all`: a row counts as right if one label matches.
def subset_accuracy(y_true, y_pred):
    return float(np.mean(np.any(np.asarray(y_true) == np.asarray(y_pred), axis=1)))
