# task: clip_grad
# Clips each array by its own norm instead of the global norm of all of them.
# hint: clip_per_array
def clip_grad_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads.values())))
    clipped = {}
    for name, g in grads.items():
        norm = np.linalg.norm(g)
        clipped[name] = g * min(1.0, max_norm / (norm + 1e-6))
    return clipped, total_norm
