# task: ml_metrics
# Hamming loss as the mean number of wrong labels per sample: divided by N only, not by N * C.
# hint: hamming_divided_by_samples_only
def hamming_loss(y_true, y_pred):
    a, b = np.asarray(y_true), np.asarray(y_pred)
    return float(np.sum(a != b) / a.shape[0])
