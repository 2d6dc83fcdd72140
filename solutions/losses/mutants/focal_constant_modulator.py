# task: focal
# Treats the modulating factor (1 - p_t) ** gamma as a constant in the gradient.
# hint: focal_modulator_treated_as_constant
def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    s = sigmoid(logits)
    ce = -(targets * log_sigmoid(logits) + (1 - targets) * log_sigmoid(-logits))
    p_t = s * targets + (1 - s) * (1 - targets)
    w = (1 - p_t) ** gamma
    if alpha >= 0:
        w = w * (alpha * targets + (1 - alpha) * (1 - targets))
    return np.mean(w * ce), w * (s - targets) / logits.size
