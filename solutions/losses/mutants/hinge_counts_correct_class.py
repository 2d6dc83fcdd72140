# task: hinge
# Forgets to exclude j == y[i] from the sum: every sample adds an extra `margin` to the loss.
# hint: hinge_counted_correct_class
def multiclass_hinge_loss(scores, y, margin=1.0):
    N = scores.shape[0]
    rows = np.arange(N)
    margins = np.maximum(0, scores - scores[rows, y][:, None] + margin)
    active = (margins > 0).astype(scores.dtype)
    active[rows, y] = 0
    active[rows, y] = -active.sum(axis=1)
    return np.sum(margins) / N, active / N
