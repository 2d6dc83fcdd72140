# task: ml_metrics
# Subset accuracy with `any` instead of `all`: a row counts as right if one label matches.
# hint: subset_accuracy_any_label
def subset_accuracy(y_true, y_pred):
    return float(np.mean(np.any(np.asarray(y_true) == np.asarray(y_pred), axis=1)))
