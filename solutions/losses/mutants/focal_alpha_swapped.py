# task: focal
# alpha_t swapped: (1 - alpha) on positives and alpha on negatives.
# hint: focal_alpha_swapped
_reference_focal_loss = focal_loss


def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    return _reference_focal_loss(logits, targets, 1.0 - alpha if alpha >= 0 else alpha, gamma)
