# task: ml_metrics
# 'samples' average computed as 'micro' (pools all entries instead of averaging per-row F1).
# hint: f1_computed_micro
_reference_multilabel_f1 = multilabel_f1


def multilabel_f1(y_true, y_pred, average="micro"):
    return _reference_multilabel_f1(y_true, y_pred, "micro" if average == "samples" else average)
