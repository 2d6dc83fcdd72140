# task: bce_logits
# Gradient (1 + (pw - 1) * t) * (s - t): the weighted-BCE shortcut, right for hard targets only (loss is right).
# hint: pos_weight_gradient_for_hard_targets_only
_reference_bce_with_logits = bce_with_logits


def bce_with_logits(logits, targets, pos_weight=None):
    loss, dlogits = _reference_bce_with_logits(logits, targets, pos_weight)
    if pos_weight is None:
        return loss, dlogits
    x = np.asarray(logits, dtype=np.float64)
    t = np.asarray(targets, dtype=np.float64)
    lw = 1.0 + (np.asarray(pos_weight, dtype=np.float64) - 1.0) * t
    return loss, lw * (sigmoid(x) - t) / x.size
