# task: bce
# Gradient -t/p + (1-t)/(1-p) with no guard: inf / nan at p in {0, 1} (loss is right).
# hint: bce_gradient_unguarded
def binary_cross_entropy(probs, targets):
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p = np.maximum(np.log(probs), -100.0)
        log_1mp = np.maximum(np.log(1.0 - probs), -100.0)
        loss = -np.mean(targets * log_p + (1.0 - targets) * log_1mp)
        d = (-targets / probs + (1 - targets) / (1 - probs)) / probs.size
    return loss, d
