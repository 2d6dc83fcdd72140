# task: softmax_ce
# Gradient is softmax - onehot, forgetting the 1/N of the mean (the loss itself is right).
# hint: ce_gradient_missing_one_over_n
def softmax_cross_entropy(logits, y, class_weights=None):
    N = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    w = np.ones(N) if class_weights is None else np.asarray(class_weights)[y]
    loss = -np.sum(w * log_probs[np.arange(N), y]) / np.sum(w)
    d = np.exp(log_probs)
    d[np.arange(N), y] -= 1
    return loss, d * w[:, None] * (N / np.sum(w))
