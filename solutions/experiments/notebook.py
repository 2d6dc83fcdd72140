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
# # Experiments: measure what the notes claim
#
# Interview notes are full of conclusions drawn from small experiments: "test
# accuracy falls as the batch size grows", "L1 gives sparse weights", "Xavier for
# tanh, He for ReLU", "deep sigmoid networks lose their gradients", "do not put
# dropout before batch norm", "transposed convolutions make checkerboards",
# "reduce the dimension with PCA first". Here you rerun each experiment, and the
# grader checks two things:
#
# - the **mechanics**, exactly where they are deterministic (update counts,
#   proximal-gradient weights, closed-form variances, PCA against scikit-learn)
#   and within sampling error where they are random;
# - the **claim**, on several seeds drawn per grading run: a correct
#   implementation reproduces it on most seeds, and the grade takes the majority.
#
# | task | functions | points |
# |---|---|---|
# | `mixture` | `gaussian_mixture` | 1 |
# | `train_mlp` | `train_mlp` | 2 |
# | `batch_size` | `batch_size_study` | 2 |
# | `l1_vs_l2` | `l1_vs_l2` | 2 |
# | `init_depth` | `activation_std_by_layer` | 2 |
# | `gradient_flow` | `gradient_norm_by_layer` | 2 |
# | `dropout_variance` | `dropout_variance`, `simulate_dropout_variance` | 2 |
# | `checkerboard` | `checkerboard_counts`, `has_checkerboard` | 1 |
# | `imbalance` | `imbalance_study` | 2 |
# | `capacity` | `polynomial_fit_errors` | 2 |
# | `pca` | `pca`, `pca_can_hurt` | 2 |
# | `gan_modes` | `ring_of_gaussians`, `mode_coverage` | 1 |
#
# NumPy, PyTorch (CPU) and scikit-learn are allowed. Return NumPy arrays and
# Python numbers, never torch tensors (`tensor.item()`, `tensor.numpy()`). Every
# function takes a `seed` where it draws anything: the same seed must give the
# same result. Each graded call has a time limit (10 s; `train_mlp` 30 s,
# `batch_size_study` 60 s), and all functions at their defaults together run in
# well under a minute on one CPU core.

# %%
from autograder import Notebook

grader = Notebook("experiments")

import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from numpy.polynomial import Polynomial
from sklearn.linear_model import LogisticRegression

torch.set_num_threads(1)  # the grader runs on one core; small networks are faster this way anyway
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Does the batch size change test accuracy?
#
# The notes' experiment (#43): two 12-dimensional Gaussians with identity
# covariance whose means differ by 1 in every dimension, 500 samples, 400 for
# training and 100 for testing; a small network trained with batch sizes from 1
# to 400. Their hypothesis was that bigger batches (less noisy gradients) would
# help up to a point; their result was that **test accuracy fell monotonically
# with the batch size, and so did the run time**. Their own explanation: the
# learning rate was not adjusted, so at a fixed number of epochs a batch of 400
# takes 400 times fewer steps than a batch of 1.
#
# First the data: half the samples from $N(0, I)$ with label 0, half from
# $N(\text{separation}\cdot\mathbf 1, I)$ with label 1, rows shuffled (a model
# that sees all zeros, then all ones, learns something else).

# %%
# include: gaussian_mixture

# %%
grader.check("mixture")

# %% [markdown]
# Then the training loop, in torch, with the shuffling made explicit so every
# correct implementation takes exactly the same steps:
#
# ```python
# torch.manual_seed(seed)                      # then build Linear(dim, hidden), ReLU, Linear(hidden, 1)
# g = torch.Generator().manual_seed(seed)      # once
# for epoch in range(epochs):
#     perm = torch.randperm(n, generator=g)    # a new order every epoch
#     for i in range(ceil(n / batch_size)):    # the last, smaller batch included
#         index = perm[i * batch_size:(i + 1) * batch_size]
#         ...                                  # BCEWithLogitsLoss (mean over the batch), SGD step
# ```
#
# `train_loss[e]` is the mean of epoch `e`'s batch losses; `updates` counts the
# optimiser steps; `test_accuracy` is measured on `(X_test, y_test)`, a sample
# predicted 1 when its logit is positive.

# %%
# include: train_mlp

# %%
grader.check("train_mlp")

# %%
# include: batch_size_study

# %%
grader.check("batch_size")

# %%
sizes = [1, 2, 4, 8, 16, 32, 64, 128, 256, 400]
start = time.perf_counter()
study = batch_size_study(sizes)
print(f"the whole study took {time.perf_counter() - start:.1f} s")
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
axes[0].semilogx(sizes, [study[b]["test_accuracy"] for b in sizes], marker="o")
axes[0].set(xlabel="batch size", ylabel="test accuracy", title="20 epochs, lr 0.05")
axes[1].loglog(sizes, [study[b]["seconds"] for b in sizes], marker="o", label="seconds")
axes[1].loglog(sizes, [study[b]["updates"] / 1e4 for b in sizes], marker="s", label="updates / 10^4")
axes[1].set(xlabel="batch size", title="cost")
axes[1].legend()
plt.show()

# %% [markdown]
# One seed is one draw of data and initialisation; repeat over a few seeds
# before believing a curve. (The grader checks batch 1 against batch 400 at 2
# epochs on five seeds.)

# %%
for seed in range(3):
    runs = batch_size_study([1, 32, 400], epochs=2, seed=seed)
    print(seed, {b: round(r["test_accuracy"], 2) for b, r in runs.items()})

# %% [markdown]
# ## 2. L1 makes weights sparse, L2 does not
#
# Penalise the mean binary cross-entropy of a logistic regression (no bias) with
# $\lambda \|w\|_1$ or $\frac{\lambda}{2}\|w\|_2^2$. L2's gradient $\lambda w$
# shrinks a weight in proportion to its size: it gets small, never exactly 0.
# L1's "gradient" $\lambda\,\text{sign}(w)$ is constant, so a plain subgradient
# step overshoots 0 and the weight oscillates around it, also never exactly 0.
# The **proximal gradient** step does it properly: a gradient step on the smooth
# part, $z = w - \text{lr}\,\nabla \text{BCE}(w)$, then the exact minimiser of
# $\frac{1}{2\,\text{lr}}\|w - z\|^2 + \lambda\|w\|_1$, the soft-threshold
#
# $$w = \text{sign}(z)\max(|z| - \text{lr}\,\lambda,\ 0),$$
#
# which sets every weight with $|z| \le \text{lr}\,\lambda$ to exactly 0. (A
# helper `_sigmoid` is given.)

# %%
# include: l1_vs_l2, _sigmoid

# %%
grader.check("l1_vs_l2")

# %%
rng = np.random.default_rng(0)
X = rng.standard_normal((200, 10))
y = (rng.random(200) < 1 / (1 + np.exp(-(X[:, :3] @ np.array([2.0, -2.0, 1.5]))))).astype(float)
w_l1, w_l2 = l1_vs_l2(X, y, 0.05)
plt.figure(figsize=(6, 3))
plt.bar(np.arange(10) - 0.2, w_l1, width=0.4, label="L1")
plt.bar(np.arange(10) + 0.2, w_l2, width=0.4, label="L2")
plt.axvline(2.5, color="grey", linestyle=":")
plt.xlabel("feature (0-2 informative, 3-9 noise)")
plt.ylabel("weight")
plt.legend()
plt.show()
print("exact zeros: L1", int(np.sum(w_l1 == 0)), " L2", int(np.sum(w_l2 == 0)))

# %% [markdown]
# ## 3. Initialisation decides whether the signal survives depth
#
# Push $N(0, 1)$ inputs through `depth` layers $h \leftarrow \text{act}(hW)$ and
# watch the std of each layer's output. With zero weights every layer outputs
# 0 (and every unit gets the same gradient: symmetry is never broken). With
# $N(0, 0.01^2)$ weights each layer multiplies the std by about
# $0.01\sqrt{\text{width}} = 0.16$, and the signal is gone after a few layers.
# Xavier ($\text{Var}\,W = 2/(\text{fan\_in} + \text{fan\_out})$) keeps the
# variance for a linear or tanh layer; He/Kaiming ($2/\text{fan\_in}$) makes up
# for ReLU zeroing half of its inputs. (A helper `_init_weight` is given.)

# %%
# include: activation_std_by_layer, _init_weight

# %%
grader.check("init_depth")

# %%
plt.figure(figsize=(6, 3.5))
for init, activation in (("normal_0.01", "tanh"), ("xavier", "tanh"), ("xavier", "relu"), ("kaiming", "relu")):
    plt.semilogy(range(1, 11), activation_std_by_layer(init, activation), marker="o", label=f"{init} + {activation}")
plt.xlabel("layer")
plt.ylabel("std of the output")
plt.legend()
plt.show()

# %% [markdown]
# ## 4. Vanishing gradients, and what keeps them
#
# Backpropagation multiplies one Jacobian per layer. A sigmoid's derivative is
# at most 1/4, so in a deep sigmoid network the first layers' gradients are
# orders of magnitude smaller than the last layers' (the first layers "learn"
# last: layers do converge at different speeds). ReLU with He initialisation
# keeps the scale; a residual connection $h + \text{act}(hW)$ adds an identity
# path through which the gradient flows unchanged, whatever the activation.
# Compute $\|\partial L/\partial W_l\|_F$ for $L = \frac12\,\text{mean}(h_L^2)$
# by hand or with torch autograd.

# %%
# include: gradient_norm_by_layer

# %%
grader.check("gradient_flow")

# %%
plt.figure(figsize=(6, 3.5))
for activation, residual in (("sigmoid", False), ("tanh", False), ("relu", False), ("sigmoid", True)):
    plt.semilogy(range(1, 21), gradient_norm_by_layer(activation, residual=residual), marker=".",
                 label=activation + (" + residual" if residual else ""))
plt.xlabel("layer (1 = closest to the input)")
plt.ylabel("||dL/dW||")
plt.legend()
plt.show()

# %% [markdown]
# ## 5. Dropout before batch norm: the variance shift
#
# Inverted dropout multiplies a unit by $m/(1-p)$, $m \sim \text{Bernoulli}(1-p)$,
# in training and leaves it alone at test time. The mean is kept, but the
# variance is not: with input mean $\mu$ and variance $\sigma^2$,
# $E[Y^2] = (\sigma^2 + \mu^2)/(1-p)$, so the training variance is
# $(\sigma^2 + \mu^2)/(1-p) - \mu^2$ while the test variance is $\sigma^2$. A
# batch-norm layer after the dropout learns its running variance in training
# and then sees a different one at test time (Li et al., 2019, "Understanding the
# disharmony between dropout and batch normalization"). Derive the closed form,
# then measure it.

# %%
# include: dropout_variance, simulate_dropout_variance

# %%
grader.check("dropout_variance")

# %%
ps = np.linspace(0, 0.8, 9)
plt.figure(figsize=(6, 3.5))
for mean in (0.0, 1.0, 2.0):
    plt.plot(ps, [dropout_variance(mean, 1.0, p)[0] for p in ps], label=f"closed form, mean {mean:g}")
    plt.plot(ps, [simulate_dropout_variance(mean, 1.0, p, 20000, seed=1)[0] for p in ps], "k.", markersize=4)
plt.axhline(1.0, color="grey", linestyle=":", label="test-time variance")
plt.xlabel("drop probability p")
plt.ylabel("training-time variance")
plt.legend()
plt.show()

# %% [markdown]
# ## 6. Checkerboard artefacts of transposed convolutions
#
# A transposed convolution with stride $s$ pastes a $k\times k$ kernel at every
# $s$-th output position. When $k$ is not a multiple of $s$ the pastes overlap
# unevenly: some output pixels receive more contributions than their
# neighbours, a checkerboard even for a constant input (Odena et al., 2016,
# "Deconvolution and checkerboard artifacts"). Count the contributions per
# output pixel; a kernel smaller than the stride leaves gaps, which is uneven too.
# Remedies: a kernel size divisible by the stride, or resize-then-convolve, or
# pixel shuffle.

# %%
# include: checkerboard_counts, has_checkerboard

# %%
grader.check("checkerboard")

# %%
fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
for ax, (kernel, stride) in zip(axes, ((3, 2), (4, 2), (1, 2))):
    ax.imshow(checkerboard_counts(kernel, stride, 6), cmap="viridis")
    ax.set_title(f"kernel {kernel}, stride {stride}: {'uneven' if has_checkerboard(kernel, stride) else 'even'}")
plt.show()

# %% [markdown]
# ## 7. Class imbalance and two remedies
#
# With 5% positives, a plain classifier gets about 95% accuracy by saying
# "negative" nearly always, and finds few of the positives. Weighting each class
# by $n / (2 n_c)$ (scikit-learn's `class_weight="balanced"`) or resampling the
# minority until the classes are even both move the decision boundary towards
# the majority: minority recall goes up, accuracy goes down. Use scikit-learn's
# `LogisticRegression` or your own; a helper `_imbalanced_set` is given.

# %%
# include: imbalance_study, _imbalanced_set

# %%
grader.check("imbalance")

# %%
for fraction in (0.5, 0.2, 0.05, 0.01):
    result = imbalance_study(fraction)
    print(f"minority {fraction:4.0%}: " + "  ".join(f"{k}: acc {v['accuracy']:.3f} recall {v['minority_recall']:.2f}"
                                                     for k, v in result.items()))

# %% [markdown]
# ## 8. Capacity: under- and over-fitting
#
# Fit polynomials of increasing degree to a few noisy points. The training
# error can only fall (each degree contains the previous one); the test error
# first falls (under-fitting: the model is too simple) and then rises
# (over-fitting: it fits the noise). Fit as `numpy.polynomial.Polynomial.fit`
# does: it maps the $x$ range to $[-1, 1]$ first, which keeps a degree-15 fit
# well conditioned.

# %%
# include: polynomial_fit_errors

# %%
grader.check("capacity")

# %%
rng = np.random.default_rng(3)
x = np.linspace(0, 10, 16)
y = np.sin(0.6 * x) + 0.3 * rng.standard_normal(16)
x_test = rng.uniform(0, 10, 200)
y_test = np.sin(0.6 * x_test) + 0.3 * rng.standard_normal(200)
train_mse, test_mse = polynomial_fit_errors(x, y, x_test, y_test, range(16))
plt.figure(figsize=(6, 3.5))
plt.semilogy(range(16), train_mse + 1e-30, marker="o", label="train")
plt.semilogy(range(16), test_mse, marker="o", label="test")
plt.xlabel("degree")
plt.ylabel("MSE")
plt.legend()
plt.show()

# %% [markdown]
# ## 9. Unsupervised reduction can throw the signal away
#
# PCA keeps the directions of largest variance, whatever the labels. When the
# classes differ only along a low-variance direction, the first principal
# component is the noise, and a classifier on it is at chance while one on the
# raw features is nearly perfect. (A helper `_low_variance_signal` is given.)
# `pca` must agree with `sklearn.decomposition.PCA`: centre the data first.

# %%
# include: pca, pca_can_hurt, _low_variance_signal

# %%
grader.check("pca")

# %%
print("held-out accuracy (raw, first principal component):", pca_can_hurt(0))

# %% [markdown]
# ## 10. GAN mode collapse
#
# A GAN's generator is rewarded for samples the discriminator cannot tell from
# data, not for covering all of the data: it often settles on a few modes and
# hops between them. The standard toy (Metz et al., 2017, "Unrolled generative
# adversarial networks") is a ring of 8 Gaussians; the metric counts the modes
# that receive at least 1% of the samples among the high-quality ones (within
# 3 std of a centre).

# %%
# include: ring_of_gaussians, _ring_centres, mode_coverage

# %%
grader.check("gan_modes")

# %% [markdown]
# Now train a small GAN on the ring (not graded) and measure it as it trains.
# Try another seed, a wider generator, or a smaller learning rate for the
# discriminator, and watch the number of modes.

# %%
def train_toy_gan(steps=2000, batch=256, seed=0, every=250):
    torch.manual_seed(seed)
    generator = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(),
                                    torch.nn.Linear(64, 2))
    discriminator = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(),
                                        torch.nn.Linear(64, 1))
    g_opt = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(discriminator.parameters(), lr=1e-3, betas=(0.5, 0.999))
    bce = torch.nn.BCEWithLogitsLoss()
    history = []
    for step in range(1, steps + 1):
        real = torch.tensor(ring_of_gaussians(batch, seed=seed * 100000 + step), dtype=torch.float32)
        fake = generator(torch.randn(batch, 2))
        d_loss = bce(discriminator(real), torch.ones(batch, 1)) + bce(discriminator(fake.detach()), torch.zeros(batch, 1))
        d_opt.zero_grad()
        d_loss.backward()
        d_opt.step()
        g_loss = bce(discriminator(fake), torch.ones(batch, 1))
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
        if step % every == 0:
            with torch.no_grad():
                samples = generator(torch.randn(2000, 2)).numpy()
            history.append((step, *mode_coverage(samples), samples))
    return history


history = train_toy_gan()
fig, axes = plt.subplots(1, len(history), figsize=(2.2 * len(history), 2.4))
real = ring_of_gaussians(2000, seed=1)
for ax, (step, modes_hit, quality, samples) in zip(axes, history):
    ax.scatter(real[:, 0], real[:, 1], s=1, color="lightgrey")
    ax.scatter(samples[:, 0], samples[:, 1], s=1)
    ax.set_title(f"step {step}\n{modes_hit}/8 modes, {quality:.0%} good", fontsize=8)
    ax.set_xlim(-3, 3)
    ax.set_ylim(-3, 3)
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()

# %% [markdown]
# ### Questions to think about
#
# 1. The notes found batch size 64 "the best compromise". What would you change
#    in the batch-size study to compare batch sizes fairly (hint: the learning
#    rate, the number of updates)?
# 2. Where would you put dropout in a network with batch norm, given section 5?
# 3. When is PCA before a network harmless, and when does it hurt (section 9)?

# %%
grader.check_all()
