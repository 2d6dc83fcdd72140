# task: focal
# `if alpha > 0:` instead of `alpha >= 0`: alpha = 0 disables the weighting instead of giving positives weight 0.
# hint: focal_alpha_zero_disables
_reference_focal_loss = focal_loss


def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    return _reference_focal_loss(logits, targets, alpha if alpha > 0 else -1.0, gamma)
