# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Loss functions and multi-label metrics
#
# "Which loss would you use, and why?" is one of the most common interview
# questions in computer vision. In this assignment you implement, in NumPy,
# the losses behind those answers, each with its gradient:
#
# | task | what you write |
# |---|---|
# | `l1_mse` | L1 (MAE) and L2 (MSE) losses |
# | `smooth_l1` | smooth L1, the box-regression loss of Fast/Faster R-CNN |
# | `softmax_ce` | a stable softmax and (class-weighted) softmax cross-entropy |
# | `bce` | binary cross-entropy on probabilities, as PyTorch clamps it |
# | `bce_logits` | BCE with logits (the multi-label loss) and the multi-label soft margin loss |
# | `focal` | the focal loss of RetinaNet, for class imbalance |
# | `hinge` | the multi-class SVM (hinge) loss |
# | `logreg` | the logistic regression loss with L2 regularisation |
# | `ml_metrics` | Hamming loss, subset accuracy, micro/macro/samples F1 |
# | `class_weights` | "balanced" class weights |
#
# Every loss returns `(loss, dinput)`: the scalar loss and its gradient with
# respect to the first argument, with the same shape. Unless stated otherwise a
# loss is the **mean over all elements**, like PyTorch's `reduction='mean'`.
# The grader compares your code with PyTorch and scikit-learn on random inputs,
# including float32 inputs, a batch of one and logits of magnitude 1e3 to 1e4.
#
# Run `grader.check("<task>")` after each task to run the public tests.

# %%
from autograder import Notebook

grader = Notebook("losses")

# %%
import numpy as np

# %% [markdown]
# The module gives you two numerically stable helpers; use them.
# `sigmoid(x)` never overflows, and `log_sigmoid(x) = -log(1 + exp(-x))`
# stays finite where `np.log(sigmoid(x))` would return `-inf`:

# %%
# include: sigmoid, log_sigmoid

# %%
x = np.array([-1e4, -30.0, 0.0, 30.0, 1e4])
with np.errstate(divide="ignore", over="ignore"):
    print("naive  log(sigmoid):", np.log(1 / (1 + np.exp(-x))))
print("stable log_sigmoid: ", log_sigmoid(x))

# %% [markdown]
# ## 1. L1 and L2 losses (`l1_mse`)
#
# For predictions $f(x_i)$ and targets $y_i$ ($n$ elements):
#
# $$\text{L1 (MAE)} = \frac1n\sum_i |f(x_i) - y_i|, \qquad
#   \text{L2 (MSE)} = \frac1n\sum_i (f(x_i) - y_i)^2 .$$
#
# Their gradients tell the whole story the interview notes tell:
#
# * $\partial\,\text{MSE}/\partial f_i = 2(f_i - y_i)/n$ grows with the error.
#   Training converges smoothly near the optimum, but a single outlier with a
#   huge error dominates the gradient (and the squared error matches PSNR, which
#   is why low-level vision likes it).
# * $\partial\,\text{L1}/\partial f_i = \operatorname{sign}(f_i - y_i)/n$ has the
#   same size for every error: L1 is **robust to outliers** (and in image
#   restoration keeps colours and brightness better), but its gradient does not
#   shrink near the optimum, so it tends to oscillate there, and it is not
#   differentiable at 0. We use the subgradient 0 there, as PyTorch does.
#
# Pitfalls: forgetting the factor 2 of the MSE gradient, dividing by the batch
# size $N$ instead of the number of elements $n$, and giving `sign(0)` the value
# $\pm 1$.

# %%
# include: l1_loss, mse_loss

# %%
grader.check("l1_mse")

# %% [markdown]
# ## 2. Smooth L1 (`smooth_l1`)
#
# Smooth L1 is quadratic for small errors and linear for large ones. With
# $d = f - y$:
#
# $$\ell(d) = \begin{cases} 0.5\, d^2 / \beta & |d| < \beta \\ |d| - 0.5\,\beta & \text{otherwise}\end{cases}
# \qquad \ell'(d) = \begin{cases} d / \beta & |d| < \beta \\ \operatorname{sign}(d) & \text{otherwise.}\end{cases}$$
#
# It takes the best of both: compared with L1 it converges faster (the gradient
# shrinks near 0); compared with L2 it is insensitive to outliers (the gradient
# is capped at 1), so training does not "run away". The two pieces meet with the
# same value and slope at $|d| = \beta$. Do not forget $\beta$ in *both* branches.

# %%
# include: smooth_l1_loss

# %%
grader.check("smooth_l1")

# %%
# The three regression losses and their gradients, side by side.
import matplotlib.pyplot as plt

d = np.linspace(-3, 3, 601)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
for name, fn in [("L1", l1_loss), ("MSE", mse_loss), ("smooth L1 (beta=1)", smooth_l1_loss)]:
    values = [fn(np.array([v]), np.array([0.0]))[0] for v in d]
    grads = [fn(np.array([v]), np.array([0.0]))[1][0] for v in d]
    axes[0].plot(d, values, label=name)
    axes[1].plot(d, grads, label=name)
axes[0].set(title="loss", xlabel="d = pred - target")
axes[1].set(title="gradient", xlabel="d = pred - target")
axes[0].legend()
plt.show()

# %% [markdown]
# ## 3. Softmax cross-entropy (`softmax_ce`)
#
# For $C$ classes the softmax turns scores into probabilities,
# $p_{ik} = e^{z_{ik}} / \sum_j e^{z_{ij}}$, and cross-entropy measures the
# distance between the one-hot target $y$ and $p$:
# $H(y, p) = -\sum_k y_k \log p_k = -\log p_{i, y_i}$.
# The derivation in the notes ends with the famous result
#
# $$\frac{\partial L}{\partial z_i} = \frac{1}{N}\,(p_i - \text{onehot}(y_i)),$$
#
# the "prediction minus target" gradient, with no derivative of the softmax left
# in it.
#
# **Why cross-entropy and not MSE for classification?** With MSE on a sigmoid
# or softmax output, the gradient contains the activation's derivative
# $\sigma'(z)$, which vanishes when the unit saturates: a confidently *wrong*
# prediction learns slowest. With cross-entropy that factor cancels, and the
# gradient is proportional to the error, so the larger the mistake the larger
# the step. MSE also cares about the probabilities of the wrong classes (it
# pushes them all towards 0 evenly), which is not what a classifier needs.
#
# **Numerical stability.** `np.exp(1000)` is `inf`. Softmax does not change
# when a constant is subtracted from a row, so subtract the row maximum first.
# For the loss, never take `np.log(softmax(z))`: the probability of a wrong
# class underflows to 0 and its log is `-inf`. Compute the log-softmax directly,
# $\log p_{ik} = z_{ik} - m_i - \log\sum_j e^{z_{ij} - m_i}$.
#
# **Class weights** are the first remedy for class imbalance. PyTorch's
# `cross_entropy(weight=w)` computes a *weighted mean*:
# $L = \sum_i w_{y_i}\, \ell_i \,/\, \sum_i w_{y_i}$ (not divided by $N$).

# %%
# include: softmax, softmax_cross_entropy

# %%
grader.check("softmax_ce")

# %% [markdown]
# ## 4. Binary cross-entropy (`bce`)
#
# For a probability $p$ and a target $t \in [0, 1]$:
# $\ell = -[t \log p + (1 - t)\log(1 - p)]$, with
# $\partial \ell / \partial p = (p - t) / (p(1 - p))$.
#
# A network whose sigmoid saturates produces $p$ exactly 0 or 1, and $\log 0 =
# -\infty$. PyTorch's `binary_cross_entropy` clamps every log at $-100$ and
# the denominator of the gradient at $10^{-12}$. Match it exactly (a Keras-style
# `clip(p, 1e-7, 1 - 1e-7)` gives a different loss). Better still: avoid the
# problem by never forming $p$ at all, which is the next task.

# %%
# include: binary_cross_entropy

# %%
grader.check("bce")

# %% [markdown]
# ## 5. Multi-label classification: BCE with logits (`bce_logits`)
#
# How do you design the loss when an image can have several labels at once
# (a person *and* a dog *and* a car)? The notes give the table:
#
# | problem | output activation | loss |
# |---|---|---|
# | binary | sigmoid | binary cross-entropy |
# | multi-class (exactly one label) | softmax | categorical cross-entropy |
# | multi-label (any subset of labels) | sigmoid per label | binary cross-entropy per label, averaged |
#
# A multi-label problem is $C$ independent yes/no problems: one sigmoid and one
# BCE per label, then the mean. Softmax would be wrong here: it forces the
# labels to compete for a total probability of 1.
#
# `bce_with_logits` takes the logits $x$ rather than probabilities, and uses
# $\log\sigma(x)$ and $\log(1 - \sigma(x)) = \log\sigma(-x)$ computed stably, so it
# is exact for logits of magnitude 1000. Its gradient is again "prediction minus
# target": $\sigma(x) - t$ (per element, divided by the number of elements).
#
# `pos_weight` (shape `(C,)`, one weight per label, broadcast over the last
# axis) multiplies only the positive term, $-[p_c\, t \log\sigma(x) + (1 -
# t)\log\sigma(-x)]$: with 10 negatives for every positive of label $c$,
# `pos_weight[c] = 10` rebalances it. Derive the gradient with it:
# $\sigma(x)\,(p_c t + 1 - t) - p_c t$.
#
# `multilabel_soft_margin_loss` is the same loss in PyTorch's multi-label
# clothing: mean over the $C$ labels of each sample, then over the samples.

# %%
# include: bce_with_logits, multilabel_soft_margin_loss

# %%
grader.check("bce_logits")

# %%
# BCE vs softmax cross-entropy on multi-label data. Sample 0 has labels {0, 2}.
# Softmax CE can only reward one label per sample; the best it can do with two
# true labels (counting each as a separate target) is p = 0.5 each. Sigmoid + BCE
# lets both reach probability 1 independently.
logits = np.array([[4.0, -4.0, 4.0, -4.0]])
targets = np.array([[1.0, 0.0, 1.0, 0.0]])
print("softmax probabilities :", np.round(softmax(logits), 3), "(labels compete, sum to 1)")
print("sigmoid probabilities :", np.round(sigmoid(logits), 3), "(labels independent)")
ce_two_labels = sum(softmax_cross_entropy(logits, np.array([k]))[0] for k in (0, 2)) / 2
print(f"softmax CE, averaged over the two true labels: {ce_two_labels:.3f} (cannot go below log 2 = {np.log(2):.3f})")
print(f"BCE with logits: {bce_with_logits(logits, targets)[0]:.4f} (goes to 0 as the logits grow)")

# %% [markdown]
# ## 6. Class imbalance and the focal loss (`focal`)
#
# Does imbalanced data hurt a network? Yes: with 99 % negatives, predicting
# "negative" everywhere already gives 99 % accuracy, the gradient is dominated by
# the many easy negatives, and the network may never learn the rare class.
# Remedies: resampling (over-sample the rare class, under-sample the frequent
# one, or synthesise examples), class weights in the loss (task 10 below), better
# metrics than accuracy (precision, recall, F1), and losses that focus on the
# hard examples.
#
# The focal loss (Lin et al., 2017, RetinaNet) multiplies BCE by
# $(1 - p_t)^\gamma$, where $p_t$ is the probability given to the *true* answer:
#
# $$p_t = \begin{cases} p & t = 1 \\ 1 - p & t = 0 \end{cases} \qquad
# \text{FL} = -\alpha_t\,(1 - p_t)^\gamma \log p_t .$$
#
# A well-classified example ($p_t = 0.9$) has its loss cut by $(0.1)^2 = 100\times$
# for $\gamma = 2$, so the thousands of easy background boxes of a detector no
# longer drown out the few hard ones. $\alpha_t$ ($\alpha$ for positives, $1 -
# \alpha$ for negatives) additionally reweights the classes; $\alpha < 0$
# disables it (torchvision's convention), and $\gamma = 0$ gives weighted BCE.
#
# For the gradient, differentiate the product: $\partial\,\text{ce}/\partial x =
# \sigma(x) - t$, and $\partial (1 - p_t)/\partial x = -(2t - 1)\,\sigma(x)(1 -
# \sigma(x))$. Do not treat the modulating factor as a constant.

# %%
# include: focal_loss

# %%
grader.check("focal")

# %%
# Focal loss vs p_t: easy examples (p_t -> 1) are down-weighted more as gamma grows.
import matplotlib.pyplot as plt

p_t = np.linspace(0.01, 0.99, 200)
x = np.log(p_t / (1 - p_t))           # logits that give probability p_t to a positive example
for gamma in [0.0, 0.5, 1.0, 2.0, 5.0]:
    per_example = [focal_loss(np.array([xi]), np.array([1.0]), alpha=-1.0, gamma=gamma)[0] for xi in x]
    plt.plot(p_t, per_example, label=f"gamma = {gamma}")
plt.xlabel("p_t, probability of the true class")
plt.ylabel("loss")
plt.title("Focal loss: well-classified examples contribute almost nothing")
plt.legend()
plt.show()

# %% [markdown]
# ## 7. The multi-class hinge loss (`hinge`)
#
# The notes list the classic losses: 0-1 (the "gold standard" that counts
# mistakes, not differentiable), absolute, squared, log (logistic regression,
# cross-entropy), exponential (AdaBoost) and hinge (SVM). The multi-class SVM
# loss asks the correct class's score to beat every other score by a margin:
#
# $$L = \frac1N \sum_i \sum_{j \ne y_i} \max(0,\; s_{ij} - s_{i y_i} + \Delta).$$
#
# Each active term (positive) adds $+1/N$ to $\partial L/\partial s_{ij}$ and
# $-1/N$ to $\partial L/\partial s_{i y_i}$. Pitfalls: including $j = y_i$ in the
# sum (it adds $\Delta$ to every sample), and dividing by $C$ as well (that is
# PyTorch's `multi_margin_loss`, a different normalisation).

# %%
# include: multiclass_hinge_loss

# %%
grader.check("hinge")

# %% [markdown]
# ## 8. Logistic regression (`logreg`)
#
# "What is LR's loss? Its derivative? And with regularisation?" Logistic
# regression is a *classifier* despite its name: $z = Xw + b$, $p = \sigma(z)$,
# and its loss is the cross-entropy (the negative log-likelihood of a
# Bernoulli model), here with an L2 penalty:
#
# $$L = \frac1N \sum_i \big[-y_i \log\sigma(z_i) - (1 - y_i)\log(1 - \sigma(z_i))\big]
#      + \frac{\lambda}{2}\lVert w\rVert^2,$$
# $$\frac{\partial L}{\partial w} = \frac1N X^\top(\sigma(z) - y) + \lambda w, \qquad
#   \frac{\partial L}{\partial b} = \frac1N \sum_i (\sigma(z_i) - y_i).$$
#
# Compute the loss from $z$ with `log_sigmoid` (no clamping): a confident
# mistake with $z = -1000$ costs exactly 1000. The bias is not regularised.

# %%
# include: logistic_regression_loss

# %%
grader.check("logreg")

# %% [markdown]
# ## 9. Multi-label metrics (`ml_metrics`)
#
# How do you measure "accuracy" when each sample has a *set* of labels? Several
# answers, which disagree:
#
# * **Hamming loss**: the fraction of the $N \times C$ label decisions that are wrong.
# * **Subset accuracy** (exact match): the fraction of samples whose whole label
#   set is right. Very strict: one wrong label out of 20 makes the sample wrong.
# * **F1** $= 2\,TP / (2\,TP + FP + FN)$, averaged in three ways:
#   *micro* pools the counts of all entries (frequent labels dominate);
#   *macro* averages one F1 per label (every label counts the same, rare ones
#   too); *samples* averages one F1 per sample. When $2TP + FP + FN = 0$ the
#   F1 is defined as 0 (scikit-learn's `zero_division=0`), and it still counts
#   in the average.

# %%
# include: hamming_loss, subset_accuracy, multilabel_f1

# %%
grader.check("ml_metrics")

# %%
# The same predictions, four verdicts. A classifier that gets the frequent label
# right and always misses the rare one looks good on Hamming loss and micro F1,
# mediocre on subset accuracy, and bad on macro F1.
rng = np.random.default_rng(0)
n, c = 200, 5
y_true = (rng.random((n, c)) < np.array([0.6, 0.5, 0.3, 0.05, 0.02])).astype(int)
y_pred = y_true.copy()
y_pred[:, 3:] = 0                                   # never predicts the two rare labels
flip = rng.random((n, 3)) < 0.05                    # and makes a few mistakes on the others
y_pred[:, :3] = np.where(flip, 1 - y_pred[:, :3], y_pred[:, :3])
print(f"hamming loss     {hamming_loss(y_true, y_pred):.3f}   (lower is better)")
print(f"subset accuracy  {subset_accuracy(y_true, y_pred):.3f}")
for average in ("micro", "macro", "samples"):
    print(f"F1 {average:8s}      {multilabel_f1(y_true, y_pred, average):.3f}")

# %% [markdown]
# ## 10. Balanced class weights (`class_weights`)
#
# The simplest re-weighting gives each class a weight inversely proportional to
# its frequency, $w_c = n / (C \cdot n_c)$, so every class contributes the same
# total weight to the loss (scikit-learn's `class_weight='balanced'`). A class
# that never occurs would get an infinite weight: raise a `ValueError` instead.
# Pass the result to `softmax_cross_entropy(..., class_weights=w)`.

# %%
# include: balanced_class_weights

# %%
grader.check("class_weights")

# %%
# Weighted cross-entropy on an imbalanced batch: the rare class's mistakes now cost as much as the frequent one's.
rng = np.random.default_rng(1)
y = rng.choice(3, size=100, p=[0.8, 0.15, 0.05])
y[:3] = [0, 1, 2]
w = balanced_class_weights(y, 3)
print("counts :", np.bincount(y, minlength=3))
print("weights:", np.round(w, 3))
logits = rng.normal(size=(100, 3))
print(f"plain CE {softmax_cross_entropy(logits, y)[0]:.3f}, weighted CE {softmax_cross_entropy(logits, y, w)[0]:.3f}")
