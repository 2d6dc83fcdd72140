# task: ml_metrics
# Macro F1 averages only the labels with TP + FP + FN > 0, instead of counting the others as 0.
# hint: f1_macro_skips_empty_labels
_reference_multilabel_f1 = multilabel_f1


def multilabel_f1(y_true, y_pred, average="micro"):
    if average != "macro":
        return _reference_multilabel_f1(y_true, y_pred, average)
    t, p = np.asarray(y_true).astype(bool), np.asarray(y_pred).astype(bool)
    tp, fp, fn = (t & p).sum(0), (~t & p).sum(0), (t & ~p).sum(0)
    keep = (2 * tp + fp + fn) > 0
    return float(np.mean(2 * tp[keep] / (2 * tp + fp + fn)[keep]))
