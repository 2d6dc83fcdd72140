"""Loss functions and multi-label metrics, in NumPy.

Every loss returns ``(loss, dinput)``: ``loss`` is a scalar (a Python or NumPy
float) and ``dinput`` is the gradient of ``loss`` with respect to the *first*
argument, with the same shape as that argument. Unless a docstring says
otherwise a loss averages over every element of its input (PyTorch's
``reduction='mean'``).

Conventions used in the docstrings:

- ``N`` is the batch size, ``C`` the number of classes (or labels), ``D`` the
  number of features; ``(*)`` means "any shape".
- Inputs are float64 in the grader; float32 inputs must work as well.
- Write vectorised code: no Python loop over the elements of a batch.
"""

import numpy as np


# --------------------------------------------------------------------------- helpers
# These helpers are given to you; use them wherever they help.


def sigmoid(x):
    """Numerically stable logistic function ``1 / (1 + exp(-x))``.

    Inputs:
    - x: array of any shape (*).

    Returns:
    - array of shape (*), same dtype as ``x``, values in [0, 1]. Never overflows:
      ``exp`` is only ever applied to non-positive numbers.
    """
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(np.result_type(x, np.float32), copy=False)


def log_sigmoid(x):
    """Numerically stable ``log(sigmoid(x)) = -log(1 + exp(-x))``.

    Inputs:
    - x: array of any shape (*).

    Returns:
    - array of shape (*), values <= 0, finite for any finite ``x``
      (``log_sigmoid(-1e4) == -1e4``, not ``-inf``).
    """
    x = np.asarray(x)
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


# --------------------------------------------------------------------------- regression losses


def l1_loss(pred, target):
    """Mean absolute error (L1 loss), as ``torch.nn.functional.l1_loss``.

    loss = mean(|pred - target|)

    Inputs:
    - pred: predictions, array of shape (*).
    - target: targets, array of the same shape (*).

    Returns a tuple of:
    - loss: scalar.
    - dpred: gradient of loss with respect to pred, shape (*). Where
      ``pred == target`` the gradient is 0 (the subgradient PyTorch uses).
    """
    raise NotImplementedError("l1_mse: implement l1_loss")


def mse_loss(pred, target):
    """Mean squared error (L2 loss), as ``torch.nn.functional.mse_loss``.

    loss = mean((pred - target) ** 2)

    Inputs:
    - pred: predictions, array of shape (*).
    - target: targets, array of the same shape (*).

    Returns a tuple of:
    - loss: scalar.
    - dpred: gradient of loss with respect to pred, shape (*).
    """
    raise NotImplementedError("l1_mse: implement mse_loss")


def smooth_l1_loss(pred, target, beta=1.0):
    """Smooth L1 (Huber-like) loss, as ``torch.nn.functional.smooth_l1_loss``.

    With d = pred - target, elementwise:
        0.5 * d**2 / beta     if |d| < beta
        |d| - 0.5 * beta      otherwise
    and the loss is the mean over all elements.

    Inputs:
    - pred: predictions, array of shape (*).
    - target: targets, array of the same shape (*).
    - beta: positive float, where the quadratic part turns into the linear part.

    Returns a tuple of:
    - loss: scalar.
    - dpred: gradient of loss with respect to pred, shape (*).
    """
    raise NotImplementedError("smooth_l1: implement smooth_l1_loss")


# --------------------------------------------------------------------------- multi-class classification


def softmax(logits):
    """Row-wise softmax, numerically stable.

    Inputs:
    - logits: array of shape (N, C).

    Returns:
    - probs: array of shape (N, C); every row is non-negative and sums to 1.
      Finite for logits of magnitude 1e4 (subtract each row's maximum first).
    """
    raise NotImplementedError("softmax_ce: implement softmax")


def softmax_cross_entropy(logits, y, class_weights=None):
    """Softmax cross-entropy, as ``torch.nn.functional.cross_entropy``.

    Without weights: loss = -(1/N) * sum_i log softmax(logits)[i, y[i]].
    With ``class_weights`` w (a weighted *mean*, as PyTorch's ``weight=``):
        loss = sum_i w[y[i]] * (-log softmax(logits)[i, y[i]]) / sum_i w[y[i]]

    Inputs:
    - logits: array of shape (N, C).
    - y: integer labels of shape (N,), 0 <= y[i] < C.
    - class_weights: None, or array of shape (C,) of non-negative weights.

    Returns a tuple of:
    - loss: scalar.
    - dlogits: gradient of loss with respect to logits, shape (N, C);
      ``(softmax(logits) - onehot(y)) / N`` without weights.
    Stable for logits of magnitude 1e4 (use log-softmax, never log(softmax)).
    """
    raise NotImplementedError("softmax_ce: implement softmax_cross_entropy")


# --------------------------------------------------------------------------- binary / multi-label classification


def binary_cross_entropy(probs, targets):
    """Binary cross-entropy on probabilities, as ``torch.nn.functional.binary_cross_entropy``.

    loss = -mean(t * log(p) + (1 - t) * log(1 - p)), where PyTorch clamps each
    log at -100 so that p in {0, 1} gives a finite loss.

    Inputs:
    - probs: probabilities p, array of shape (*), values in [0, 1] (0 and 1 included).
    - targets: targets t, array of the same shape, values in [0, 1].

    Returns a tuple of:
    - loss: scalar.
    - dprobs: gradient with respect to probs, shape (*), computed as PyTorch does:
      ``(p - t) / max(p * (1 - p), 1e-12) / n`` where n is the number of elements
      (finite at p in {0, 1}).
    """
    raise NotImplementedError("bce: implement binary_cross_entropy")


def bce_with_logits(logits, targets, pos_weight=None):
    """Sigmoid + binary cross-entropy in one stable step, as
    ``torch.nn.functional.binary_cross_entropy_with_logits``. The loss of
    multi-label classification: one independent yes/no question per label.

    With s = sigmoid(x), t the targets and pw the positive weight, elementwise
        l = -(pw * t * log(s) + (1 - t) * log(1 - s))
    and the loss is the mean over all elements.

    Inputs:
    - logits: x, array of shape (..., C) (for example (N, C)).
    - targets: t, array of the same shape, values in [0, 1].
    - pos_weight: None (all ones), or array of shape (C,) weighting the positive
      term of each label; broadcasts over the last axis.

    Returns a tuple of:
    - loss: scalar.
    - dlogits: gradient with respect to logits, same shape as logits.
    Stable for logits of magnitude 1e3: use ``log_sigmoid``, never ``log(sigmoid(x))``.
    """
    raise NotImplementedError("bce_logits: implement bce_with_logits")


def multilabel_soft_margin_loss(logits, targets):
    """Multi-label soft margin loss, as ``torch.nn.functional.multilabel_soft_margin_loss``.

    loss = -(1/N) * sum_i (1/C) * sum_c [ t_ic * log(sigmoid(x_ic))
                                          + (1 - t_ic) * log(sigmoid(-x_ic)) ]

    Inputs:
    - logits: x, array of shape (N, C).
    - targets: t, array of shape (N, C) with values in {0, 1}.

    Returns a tuple of:
    - loss: scalar.
    - dlogits: gradient with respect to logits, shape (N, C).
    Stable for logits of magnitude 1e3.
    """
    raise NotImplementedError("bce_logits: implement multilabel_soft_margin_loss")


def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    """Sigmoid focal loss (Lin et al. 2017, RetinaNet), as
    ``torchvision.ops.sigmoid_focal_loss(..., reduction='mean')``.

    With s = sigmoid(x), ce = bce_with_logits elementwise (no pos_weight),
        p_t     = s * t + (1 - s) * (1 - t)
        alpha_t = alpha * t + (1 - alpha) * (1 - t)
        l       = alpha_t * (1 - p_t) ** gamma * ce
    and the loss is the mean over all elements. If ``alpha < 0`` there is no
    alpha_t factor at all (not even the 1 - alpha on negatives).

    Inputs:
    - logits: x, array of shape (*).
    - targets: t, array of the same shape with values in {0, 1}.
    - alpha: float in [0, 1] weighting positives against negatives, or < 0 to disable.
    - gamma: float >= 0, the focusing parameter (gamma = 0 is weighted BCE).

    Returns a tuple of:
    - loss: scalar.
    - dlogits: gradient with respect to logits, shape (*).
    Stable for logits of magnitude 1e3.
    """
    raise NotImplementedError("focal: implement focal_loss")


# --------------------------------------------------------------------------- margin and linear models


def multiclass_hinge_loss(scores, y, margin=1.0):
    """Multi-class SVM (hinge) loss, CS231n style.

    loss = (1/N) * sum_i sum_{j != y[i]} max(0, scores[i, j] - scores[i, y[i]] + margin)

    (NOT ``torch.nn.functional.multi_margin_loss``, which also divides by C.)

    Inputs:
    - scores: array of shape (N, C).
    - y: integer labels of shape (N,), 0 <= y[i] < C.
    - margin: positive float.

    Returns a tuple of:
    - loss: scalar.
    - dscores: gradient with respect to scores, shape (N, C). A term that is
      exactly 0 contributes no gradient.
    """
    raise NotImplementedError("hinge: implement multiclass_hinge_loss")


def logistic_regression_loss(w, b, X, y, reg=0.0):
    """Logistic regression loss and its gradients.

    With z = X @ w + b:
        loss = mean_i [ -y_i * log(sigmoid(z_i)) - (1 - y_i) * log(1 - sigmoid(z_i)) ]
               + 0.5 * reg * sum(w ** 2)
    computed stably from z (no clamping): the loss of z = -1000 with y = 1 is 1000.

    Inputs:
    - w: weights, array of shape (D,).
    - b: bias, a scalar.
    - X: data, array of shape (N, D).
    - y: labels, array of shape (N,) with values in {0, 1}.
    - reg: L2 regularisation strength (float >= 0); the bias is not regularised.

    Returns a tuple of:
    - loss: scalar.
    - dw: gradient with respect to w, shape (D,).
    - db: gradient with respect to b, a scalar.
    """
    raise NotImplementedError("logreg: implement logistic_regression_loss")


# --------------------------------------------------------------------------- multi-label metrics and class imbalance


def hamming_loss(y_true, y_pred):
    """Fraction of wrong labels, as ``sklearn.metrics.hamming_loss``.

    Inputs:
    - y_true: 0/1 array of shape (N, C), the true label sets.
    - y_pred: 0/1 array of shape (N, C), the predicted label sets.

    Returns:
    - float in [0, 1]: the mean over all N * C entries of ``y_true != y_pred``.
    """
    raise NotImplementedError("ml_metrics: implement hamming_loss")


def subset_accuracy(y_true, y_pred):
    """Exact-match ratio, as ``sklearn.metrics.accuracy_score`` on multi-label data.

    Inputs:
    - y_true: 0/1 array of shape (N, C).
    - y_pred: 0/1 array of shape (N, C).

    Returns:
    - float in [0, 1]: the fraction of rows whose whole label set is predicted exactly.
    """
    raise NotImplementedError("ml_metrics: implement subset_accuracy")


def multilabel_f1(y_true, y_pred, average="micro"):
    """Multi-label F1 score, as ``sklearn.metrics.f1_score(..., zero_division=0)``.

    F1 = 2 TP / (2 TP + FP + FN), defined as 0 when the denominator is 0.
    - 'micro':   count TP, FP, FN over all N * C entries, then one F1.
    - 'macro':   one F1 per label (column), then their plain mean over the C labels.
    - 'samples': one F1 per sample (row), then their plain mean over the N samples.

    Inputs:
    - y_true: 0/1 array of shape (N, C).
    - y_pred: 0/1 array of shape (N, C).
    - average: 'micro', 'macro' or 'samples'.

    Returns:
    - float in [0, 1].
    """
    raise NotImplementedError("ml_metrics: implement multilabel_f1")


def balanced_class_weights(y, n_classes):
    """'Balanced' class weights for imbalanced data, as
    ``sklearn.utils.class_weight.compute_class_weight('balanced', ...)``.

    weight[c] = n_samples / (n_classes * count[c]), so that every class
    contributes the same total weight. Pass the result as ``class_weights`` to
    ``softmax_cross_entropy``.

    Inputs:
    - y: integer labels of shape (N,), 0 <= y[i] < n_classes.
    - n_classes: int, the number of classes C.

    Returns:
    - weights: float array of shape (C,).

    Raises:
    - ValueError if some class in range(n_classes) does not occur in y.
    """
    raise NotImplementedError("class_weights: implement balanced_class_weights")
