# task: clip_grad
# Forgets to clamp the coefficient to 1: small gradients get scaled UP to max_norm.
# hint: clip_coefficient_not_clamped
def clip_grad_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads.values())))
    coef = max_norm / (total_norm + 1e-6)
    return {name: g * coef for name, g in grads.items()}, total_norm
