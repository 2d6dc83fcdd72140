"""Public tests: softmax, softmax cross-entropy, BCE, BCE with logits, soft margin, focal loss."""

import numpy as np
import pytest


def _logits(scale=2.0, n=5, c=4):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, c)) * scale, rng.integers(0, c, size=n)


def _naive_softmax(x):
    return np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)


@pytest.mark.task("softmax_ce")
def test_softmax(submission, frozen):
    """softmax on a (5, 4) batch: rows sum to 1."""
    logits, _ = _logits()
    probs = submission.softmax(logits.copy())
    frozen.check("softmax.probs", probs, hints={"normalised over columns (axis 0) instead of rows":
                                                np.exp(logits) / np.exp(logits).sum(axis=0, keepdims=True)})


@pytest.mark.task("softmax_ce")
def test_softmax_large_logits(submission, frozen):
    """softmax with logits of magnitude 1e4: subtract the row maximum before exp."""
    logits, _ = _logits(scale=1e4)
    frozen.check("softmax_large.probs", submission.softmax(logits.copy()), rtol=1e-6, atol=1e-12)


@pytest.mark.task("softmax_ce")
def test_softmax_cross_entropy(submission, frozen):
    """softmax_cross_entropy without weights: dlogits = (softmax - onehot) / N."""
    logits, y = _logits()
    loss, dlogits = submission.softmax_cross_entropy(logits.copy(), y.copy())
    p = _naive_softmax(logits)
    onehot = np.eye(4)[y]
    frozen.check("ce.loss", loss, hints={"summed over the batch instead of averaging": -np.log(p[np.arange(5), y]).sum()})
    frozen.check("ce.dlogits", dlogits, hints={"forgot the 1/N": p - onehot, "used onehot - softmax (sign)": (onehot - p) / 5})


@pytest.mark.task("softmax_ce")
def test_softmax_cross_entropy_weighted(submission, frozen):
    """softmax_cross_entropy with class_weights: a weighted mean (divide by the sum of the weights used)."""
    logits, y = _logits()
    weights = np.array([0.5, 2.0, 1.0, 3.0])
    loss, dlogits = submission.softmax_cross_entropy(logits.copy(), y.copy(), weights.copy())
    w = weights[y]
    nll = -np.log(_naive_softmax(logits)[np.arange(5), y])
    frozen.check("ce_weighted.loss", loss, hints={"divided by N instead of the sum of the weights": (w * nll).sum() / 5,
                                                  "ignored the weights": nll.mean()})
    frozen.check("ce_weighted.dlogits", dlogits)


@pytest.mark.task("softmax_ce")
def test_softmax_cross_entropy_large(submission, frozen):
    """softmax_cross_entropy with logits of magnitude 1e4: finite loss (use log-softmax)."""
    logits, y = _logits(scale=1e4)
    loss, dlogits = submission.softmax_cross_entropy(logits.copy(), y.copy())
    frozen.check("ce_large.loss", loss)
    frozen.check("ce_large.dlogits", dlogits, atol=1e-12)


@pytest.mark.task("bce")
def test_binary_cross_entropy(submission, frozen):
    """binary_cross_entropy with probabilities exactly 0 and 1 (logs clamped at -100)."""
    rng = np.random.default_rng(0)
    p = rng.uniform(0.05, 0.95, size=(3, 4))
    t = (rng.random((3, 4)) < 0.5).astype(float)
    p[0, 0], t[0, 0] = 0.0, 1.0
    p[1, 1], t[1, 1] = 1.0, 1.0
    p[2, 2], t[2, 2] = 1.0, 0.0
    p[2, 3], t[2, 3] = 0.0, 0.0
    loss, dprobs = submission.binary_cross_entropy(p.copy(), t.copy())
    q = np.clip(p, 1e-7, 1 - 1e-7)
    frozen.check("bce.loss", loss, hints={"clipped p to [1e-7, 1 - 1e-7] instead of clamping the log at -100":
                                          -np.mean(t * np.log(q) + (1 - t) * np.log(1 - q))})
    frozen.check("bce.dprobs", dprobs, rtol=1e-5)


@pytest.mark.task("bce_logits")
def test_bce_with_logits(submission, frozen):
    """bce_with_logits with and without pos_weight (shape (C,), broadcast over rows)."""
    logits, _ = _logits()
    t = (np.random.default_rng(1).random(logits.shape) < 0.4).astype(float)
    pos_weight = np.array([1.0, 3.0, 0.5, 2.0])
    loss, dlogits = submission.bce_with_logits(logits.copy(), t.copy())
    frozen.check("bcel.loss", loss)
    frozen.check("bcel.dlogits", dlogits, hints={"forgot to divide by the number of elements": (1 / (1 + np.exp(-logits)) - t)})
    loss, dlogits = submission.bce_with_logits(logits.copy(), t.copy(), pos_weight.copy())
    s = 1 / (1 + np.exp(-logits))
    frozen.check("bcel_pw.loss", loss, hints={"weighted the whole loss, not only the positive term":
                                              np.mean(-pos_weight * (t * np.log(s) + (1 - t) * np.log(1 - s)))})
    frozen.check("bcel_pw.dlogits", dlogits)


@pytest.mark.task("bce_logits")
def test_bce_with_logits_soft_pos_weight(submission, frozen):
    """bce_with_logits with soft targets and pos_weight: the gradient is s * (1 - t) - pw * t * (1 - s)."""
    logits, _ = _logits()
    t = np.random.default_rng(2).uniform(0.1, 0.9, size=logits.shape)
    pos_weight = np.array([1.0, 3.0, 0.5, 2.0])
    loss, dlogits = submission.bce_with_logits(logits.copy(), t.copy(), pos_weight.copy())
    s = 1 / (1 + np.exp(-logits))
    frozen.check("bcel_soft_pw.loss", loss)
    frozen.check("bcel_soft_pw.dlogits", dlogits,
                 hints={"used (1 + (pw - 1) * t) * (s - t), right only for hard targets":
                        (1 + (pos_weight - 1) * t) * (s - t) / t.size})


@pytest.mark.task("bce_logits")
def test_bce_with_logits_large(submission, frozen):
    """bce_with_logits with logits of magnitude 1e3: use log_sigmoid, never log(sigmoid(x))."""
    logits, _ = _logits(scale=1e3)
    t = (np.random.default_rng(1).random(logits.shape) < 0.4).astype(float)
    loss, dlogits = submission.bce_with_logits(logits.copy(), t.copy())
    frozen.check("bcel_large.loss", loss)
    frozen.check("bcel_large.dlogits", dlogits)


@pytest.mark.task("bce_logits")
def test_multilabel_soft_margin(submission, frozen):
    """multilabel_soft_margin_loss: mean over labels, then over samples."""
    logits, _ = _logits()
    t = (np.random.default_rng(1).random(logits.shape) < 0.4).astype(float)
    loss, dlogits = submission.multilabel_soft_margin_loss(logits.copy(), t.copy())
    s = 1 / (1 + np.exp(-logits))
    per_element = -(t * np.log(s) + (1 - t) * np.log(1 - s))
    frozen.check("mlsm.loss", loss, hints={"summed over the labels instead of averaging them": per_element.sum(axis=1).mean()})
    frozen.check("mlsm.dlogits", dlogits)


@pytest.mark.task("focal")
@pytest.mark.parametrize("alpha,gamma", [(0.25, 2.0), (-1.0, 1.5), (0.75, 0.0)])
def test_focal_loss(submission, frozen, alpha, gamma):
    """focal_loss for a few (alpha, gamma); alpha < 0 disables the alpha weighting."""
    logits, _ = _logits(scale=3.0)
    t = (np.random.default_rng(1).random(logits.shape) < 0.3).astype(float)
    loss, dlogits = submission.focal_loss(logits.copy(), t.copy(), alpha, gamma)
    s = 1 / (1 + np.exp(-logits))
    ce = -(t * np.log(s) + (1 - t) * np.log(1 - s))
    p_t = s * t + (1 - s) * (1 - t)
    a = alpha * t + (1 - alpha) * (1 - t)
    mod = (1 - p_t) ** gamma
    loss_hints = ({"swapped alpha and 1 - alpha": np.mean((1 - a) * mod * ce)} if alpha >= 0
                  else {"applied alpha_t even though alpha < 0": np.mean(a * mod * ce)})
    frozen.check(f"focal_{alpha}_{gamma}.loss", loss, hints=loss_hints)
    w = mod * (a if alpha >= 0 else 1.0)
    frozen.check(f"focal_{alpha}_{gamma}.dlogits", dlogits,
                 hints={"treated (1 - p_t) ** gamma as a constant in the gradient": w * (s - t) / t.size})


@pytest.mark.task("focal")
def test_focal_loss_alpha_zero(submission, frozen):
    """focal_loss with alpha = 0: positives get weight 0, negatives 1 (only alpha < 0 disables the weighting)."""
    logits, _ = _logits(scale=3.0)
    t = (np.random.default_rng(1).random(logits.shape) < 0.3).astype(float)
    loss, dlogits = submission.focal_loss(logits.copy(), t.copy(), 0.0, 2.0)
    s = 1 / (1 + np.exp(-logits))
    ce = -(t * np.log(s) + (1 - t) * np.log(1 - s))
    p_t = s * t + (1 - s) * (1 - t)
    frozen.check("focal_alpha0.loss", loss,
                 hints={"treated alpha = 0 as 'disabled' (test alpha < 0, not 'if alpha')": np.mean((1 - p_t) ** 2 * ce)})
    frozen.check("focal_alpha0.dlogits", dlogits)
