# task: bce
# Clips probabilities to [1e-7, 1 - 1e-7] (Keras style) instead of clamping the log at -100 as PyTorch does.
# hint: bce_probabilities_clipped
def binary_cross_entropy(probs, targets):
    p = np.clip(probs, 1e-7, 1 - 1e-7)
    loss = -np.mean(targets * np.log(p) + (1 - targets) * np.log(1 - p))
    return loss, (p - targets) / (p * (1 - p)) / probs.size
