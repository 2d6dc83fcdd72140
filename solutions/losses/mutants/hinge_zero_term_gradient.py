# task: hinge
# Marks a margin term as active with >= 0, so a term exactly 0 contributes a gradient (API.md: it does not).
# hint: hinge_zero_term_counted
def multiclass_hinge_loss(scores, y, margin=1.0):
    N = scores.shape[0]
    rows = np.arange(N)
    terms = scores - scores[rows, y][:, None] + margin
    margins = np.maximum(0, terms)
    margins[rows, y] = 0
    active = (terms >= 0).astype(scores.dtype)
    active[rows, y] = 0
    active[rows, y] = -active.sum(axis=1)
    return np.sum(margins) / N, active / N
