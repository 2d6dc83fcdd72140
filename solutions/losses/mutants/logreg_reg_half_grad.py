# task: logreg
# Regulariser's gradient taken as 0.5 * reg * w (forgot the 2 from d/dw w**2).
# hint: logreg_regulariser_gradient_halved
_reference_logistic_regression_loss = logistic_regression_loss


def logistic_regression_loss(w, b, X, y, reg=0.0):
    loss, dw, db = _reference_logistic_regression_loss(w, b, X, y, reg)
    return loss, dw - 0.5 * reg * w, db
