# task: hinge
# torch's multi_margin_loss convention: loss and gradient also divided by the number of classes C.
# hint: hinge_divided_by_classes
_reference_multiclass_hinge_loss = multiclass_hinge_loss


def multiclass_hinge_loss(scores, y, margin=1.0):
    loss, dscores = _reference_multiclass_hinge_loss(scores, y, margin)
    c = scores.shape[1]
    return loss / c, dscores / c
