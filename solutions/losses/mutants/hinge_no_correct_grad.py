# task: hinge
# Gradient of the correct-class score left at 0 (only the j != y columns get +1/N).
# hint: hinge_no_correct_class_gradient
def multiclass_hinge_loss(scores, y, margin=1.0):
    N = scores.shape[0]
    rows = np.arange(N)
    margins = np.maximum(0, scores - scores[rows, y][:, None] + margin)
    margins[rows, y] = 0
    return np.sum(margins) / N, (margins > 0).astype(scores.dtype) / N
