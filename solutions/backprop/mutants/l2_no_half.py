# task: regularization
# L2 penalty without the factor 0.5 (reg * sum w**2) and gradient 2 * reg * w.
# hint: l2_penalty_without_half
def l2_regularization(weights, reg):
    loss = float(reg * sum(np.sum(w * w) for w in weights.values()))
    return loss, {name: 2 * reg * w for name, w in weights.items()}
