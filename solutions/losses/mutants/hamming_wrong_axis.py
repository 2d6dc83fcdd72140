# task: ml_metrics
# Hamming loss: wrong entries summed per label, averaged, then divided by C instead of N (only right when N == C).
def hamming_loss(y_true, y_pred):
    a, b = np.asarray(y_true), np.asarray(y_pred)
    return float(np.mean(np.sum(a != b, axis=0)) / a.shape[1])
