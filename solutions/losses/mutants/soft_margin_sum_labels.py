# task: bce_logits
# multilabel_soft_margin_loss sums over the C labels instead of averaging them (divides by N only).
# hint: soft_margin_summed_over_labels
def multilabel_soft_margin_loss(logits, targets):
    N = logits.shape[0]
    total = -np.sum(targets * log_sigmoid(logits) + (1 - targets) * log_sigmoid(-logits))
    return total / N, (sigmoid(logits) - targets) / N
