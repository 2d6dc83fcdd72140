# task: clip_grad
# Leaves out the 1e-6 in coef = max_norm / (total_norm + 1e-6): invisible (relative 1e-7) for
# ordinary gradients, wrong for tiny ones, and a ZeroDivisionError for all-zero gradients.
# hint: clip_without_epsilon
def clip_grad_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads.values())))
    coef = min(1.0, max_norm / total_norm)
    return {name: g * coef for name, g in grads.items()}, total_norm
