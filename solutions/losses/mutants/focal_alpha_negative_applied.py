# task: focal
# alpha < 0 not treated as "disabled": alpha_t = alpha * t + (1 - alpha) * (1 - t) is applied anyway.
# hint: focal_alpha_applied_when_negative
def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    s = sigmoid(logits)
    ce = -(targets * log_sigmoid(logits) + (1 - targets) * log_sigmoid(-logits))
    p_t = s * targets + (1 - s) * (1 - targets)
    q = 1 - p_t
    alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
    loss = alpha_t * q ** gamma * ce
    d = alpha_t * (q ** gamma * (s - targets) - gamma * (2 * targets - 1) * q ** gamma * p_t * ce)
    return np.mean(loss), d / logits.size
