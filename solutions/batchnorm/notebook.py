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
# # Normalisation layers: batch, layer, group and instance norm
#
# "How does batch norm work, what are its learnable parameters, how does it
# behave differently at training and test time, and how do you backpropagate
# through it?" is one of the most common deep-learning interview questions.
# In this assignment you implement, in NumPy:
#
# | task | functions | points |
# |---|---|---|
# | `bn_forward` | `batchnorm_forward` (train and test mode, running statistics) | 3 |
# | `bn_backward` | `batchnorm_backward` (through the staged graph) | 2 |
# | `bn_backward_alt` | `batchnorm_backward_alt` (closed form, also graded for speed) | 2 |
# | `layernorm` | `layernorm_forward`, `layernorm_backward` | 2 |
# | `spatial_bn` | `spatial_batchnorm_forward`, `spatial_batchnorm_backward` | 2 |
# | `groupnorm` | `spatial_groupnorm_forward`, `spatial_groupnorm_backward` | 3 |
# | `instancenorm` | `instancenorm_forward`, `instancenorm_backward` | 2 |
#
# Every layer is a pair `*_forward(...) -> (out, cache)` and
# `*_backward(dout, cache) -> (dx, dgamma, dbeta)`; the cache is yours.
# Your code must work for float64 and float32 inputs, use only NumPy, and be
# vectorised. `grader.check("<task>")` runs the public tests of a task; the
# graded (hidden) tests use random shapes and values, edge cases (a batch of
# one where it is defined, one feature, means around 1e3, variances as small
# as eps, float32) and torch as the reference.

# %%
from autograder import Notebook

grader = Notebook("batchnorm")

import numpy as np

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Batch norm, forward pass
#
# Deep networks train badly when the distribution of every layer's inputs
# keeps shifting as the earlier layers learn: activations drift towards the
# saturated ends of the non-linearity and the gradients vanish. Batch
# normalisation pulls every feature back to zero mean and unit variance *over
# the mini-batch*, so the inputs of the next non-linearity stay in its
# sensitive range. It speeds up training a lot, makes the network less
# sensitive to initialisation and allows larger learning rates.
#
# For a mini-batch $x \in \mathbb{R}^{N \times D}$, per feature $j$:
#
# $$\mu_j = \frac1N\sum_i x_{ij},\qquad
#   \sigma_j^2 = \frac1N\sum_i (x_{ij}-\mu_j)^2,\qquad
#   \hat x_{ij} = \frac{x_{ij}-\mu_j}{\sqrt{\sigma_j^2+\epsilon}},\qquad
#   y_{ij} = \gamma_j \hat x_{ij} + \beta_j .$$
#
# **Why $\gamma$ and $\beta$?** Forcing every feature to be exactly standard
# normal would limit what the layer can represent (a sigmoid would be stuck in
# its linear regime). The learnable scale $\gamma$ and shift $\beta$ let the
# network recover any mean and variance, including the original ones
# ($\gamma = \sigma$, $\beta = \mu$). They are the only learnable parameters;
# they are trained by gradient descent like the weights.
#
# **Train vs test.** At test time there may be a single example, and the
# prediction for an example must not depend on the rest of its batch. So
# during training we keep exponentially decaying running averages
#
# ```
# running_mean = momentum * running_mean + (1 - momentum) * sample_mean
# running_var  = momentum * running_var  + (1 - momentum) * sample_var
# ```
#
# and at test time we normalise with them instead of the batch statistics.
#
# Pitfalls the tests look for:
# - the variance is the **biased** one (divide by $N$, `np.var`'s default);
# - $\epsilon$ goes **inside** the square root;
# - `momentum` weighs the **old** running value (CS231n's convention). PyTorch
#   does the opposite (`momentum=0.1` weighs the new value) and accumulates the
#   unbiased variance, so do not copy `torch.nn.BatchNorm1d` here;
# - the running statistics must be **stored back** into `bn_param`;
# - test mode must not use (or update) the batch statistics.
#
# Compute the forward pass as a sequence of small steps (mean, centre,
# square, variance, square root, inverse, normalise, scale and shift) and keep
# the intermediate values in the cache: you will walk the same graph backwards
# in the next task.

# %%
# include: batchnorm_forward

# %%
grader.check("bn_forward")

# %% [markdown]
# **Look at it.** Feed a layer of badly scaled activations (mean 5, feature
# scales from 0.1 to 10) through your batch norm and compare the histograms of
# a few features before and after.

# %%
import matplotlib.pyplot as plt

rng = np.random.default_rng(0)
acts = 5 + rng.standard_normal((500, 4)) * np.array([0.1, 1.0, 3.0, 10.0])
normed, _ = batchnorm_forward(acts, np.ones(4), np.zeros(4), {"mode": "train"})

fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
for j in range(4):
    axes[0].hist(acts[:, j], bins=40, alpha=0.5, label=f"feature {j}")
    axes[1].hist(normed[:, j], bins=40, alpha=0.5, label=f"feature {j}")
axes[0].set_title("before batch norm")
axes[1].set_title("after batch norm (gamma = 1, beta = 0)")
axes[0].legend()
plt.show()
print("means after:", normed.mean(axis=0), " stds after:", normed.std(axis=0))

# %% [markdown]
# **Running statistics converge.** Train on 200 mini-batches drawn from a
# fixed distribution and watch the running mean and variance approach the true
# values (mean 3, variance 4). With `momentum = 0.9` the running average
# "remembers" roughly the last $1/(1-0.9) = 10$ batches; a larger momentum is
# smoother but slower to follow the (changing) activations of a network that is
# still learning.

# %%
bn_param = {"mode": "train", "momentum": 0.9}
history = []
for step in range(200):
    batch = 3 + 2 * rng.standard_normal((32, 1))
    batchnorm_forward(batch, np.ones(1), np.zeros(1), bn_param)
    history.append((bn_param["running_mean"][0], bn_param["running_var"][0]))
history = np.array(history)

plt.figure(figsize=(7, 3.5))
plt.plot(history[:, 0], label="running_mean")
plt.plot(history[:, 1], label="running_var")
plt.axhline(3, ls="--", c="C0")
plt.axhline(4, ls="--", c="C1")
plt.xlabel("training step")
plt.legend()
plt.show()

# %% [markdown]
# ## 2. Batch norm, backward pass through the staged graph
#
# The classic interview question "derive the backward pass of batch norm" is
# easiest with a computational graph. Every node of your forward pass is
# simple; go through them in reverse, applying the chain rule at each node:
#
# ```
# x ──► mu ──► xmu = x - mu ──► sq = xmu² ──► var ──► sqrtvar = √(var+eps) ──► ivar = 1/sqrtvar
#  └───────────────┘     └──────────────────────────────────────────────────┐       │
#                        xhat = xmu · ivar ◄─────────────────────────────────┴───────┘
#                        out  = gamma · xhat + beta
# ```
#
# Two places need care, because a value is used by more than one node and the
# gradients of the branches must be **added**:
# - `xmu` feeds both `xhat` directly and the variance (through `sq`);
# - `x` feeds both `xmu` directly and the mean `mu`.
#
# A sum over the batch in the forward pass (the mean, the variance) becomes a
# broadcast (copy to every row, times $1/N$) in the backward pass, and a
# broadcast in the forward pass (`gamma`, `beta`, `mu`) becomes a sum over the
# batch. Forgetting one branch or one $1/N$ is the usual mistake.

# %%
# include: batchnorm_backward

# %%
grader.check("bn_backward")

# %% [markdown]
# A numeric gradient check is the quickest way to find such mistakes yourself:
# perturb every input by $\pm h$ and compare with your analytic gradient.
# The relative error should be around 1e-8 or smaller.

# %%
from autograder.testing import numeric_gradient, rel_error

x = rng.standard_normal((6, 4)) * 2 + 1
gamma, beta = rng.uniform(0.5, 1.5, 4), rng.standard_normal(4)
dout = rng.standard_normal((6, 4))
_, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
dx, dgamma, dbeta = batchnorm_backward(dout, cache)
dx_num = numeric_gradient(lambda v: batchnorm_forward(v, gamma, beta, {"mode": "train"})[0], x, dout)
dgamma_num = numeric_gradient(lambda g: batchnorm_forward(x, g, beta, {"mode": "train"})[0], gamma, dout)
print("dx error:", rel_error(dx, dx_num), " dgamma error:", rel_error(dgamma, dgamma_num))

# %% [markdown]
# ## 3. Batch norm, backward pass in closed form
#
# Collapse the graph on paper. With $g = \gamma \odot$ `dout` and all sums over
# the batch:
#
# $$\frac{\partial L}{\partial x} = \frac{1}{N\sqrt{\sigma^2+\epsilon}}
#   \Big(N g - \sum_i g_i - \hat x \sum_i g_i \hat x_i\Big).$$
#
# Read it as: the upstream gradient, minus its mean (the mean branch), minus
# its projection on $\hat x$ (the variance branch), scaled by the inverse
# standard deviation. It is a handful of whole-array operations; the hidden
# tests also time it on a large batch against a reference closed form, so no
# Python loop over the samples.

# %%
# include: batchnorm_backward_alt

# %%
grader.check("bn_backward_alt")

# %%
import time

x = rng.standard_normal((4096, 256))
dout = rng.standard_normal((4096, 256))
_, cache = batchnorm_forward(x, np.ones(256), np.zeros(256), {"mode": "train"})
for fn in (batchnorm_backward, batchnorm_backward_alt):
    start = time.perf_counter()
    for _ in range(5):
        fn(dout, cache)
    print(f"{fn.__name__:24s} {(time.perf_counter() - start) / 5 * 1e3:.2f} ms")
print("same result:", rel_error(batchnorm_backward(dout, cache)[0], batchnorm_backward_alt(dout, cache)[0]))

# %% [markdown]
# ## 4. Layer norm
#
# Batch norm couples the examples of a batch: the output for one example
# depends on the others. That is part of why it regularises (every example is
# "jittered" by its batch mates, a kind of data augmentation), but it breaks
# down for small batches, for recurrent networks and for sequence models.
# **Layer norm** normalises every example over its own $D$ features instead:
# the same formulas with the sums over the feature axis. It behaves the same
# at training and test time (no running statistics) and works with a batch of
# one. $\gamma$ and $\beta$ are still per feature, shape `(D,)`.
#
# The backward pass is the closed form of task 3 with the sums taken over the
# features (`axis=1`, `keepdims=True`) while `dgamma` and `dbeta` are still
# summed over the batch.

# %%
# include: layernorm_forward, layernorm_backward

# %%
grader.check("layernorm")

# %% [markdown]
# ## 5. Spatial batch norm
#
# In a CNN the usual order is convolution, then batch norm, then the
# activation. A feature map `(N, C, H, W)` has one $\gamma$ and $\beta$ per
# channel, and each channel is normalised with statistics over the batch
# **and** all spatial positions: convolution shares its weights across
# positions, so the normalisation should too. Move the channel axis last,
# flatten to `(N*H*W, C)`, and reuse your batch norm. The classic bug is
# `x.reshape(-1, C)` without the transpose: it runs, has the right shape, and
# mixes up channels.

# %%
# include: spatial_batchnorm_forward, spatial_batchnorm_backward

# %%
grader.check("spatial_bn")

# %% [markdown]
# ## 6. Group norm
#
# Group norm (Wu and He, 2018) splits the $C$ channels of each example into
# $G$ groups of $C/G$ **consecutive** channels and normalises each group over
# its channels and all positions. It does not depend on the batch size, so it
# works where batches are tiny (detection, segmentation, video). The two ends
# are familiar: $G = 1$ is layer norm over `(C, H, W)`, $G = C$ is instance
# norm. Reshape `(N, C, H, W)` to `(N, G, C // G * H * W)`; reshaping to
# `(N, C // G, G, ...)` instead groups channels $c, c+G, c+2G, \dots$.
# Here `gamma` and `beta` have shape `(C,)`.

# %%
# include: spatial_groupnorm_forward, spatial_groupnorm_backward

# %%
grader.check("groupnorm")

# %% [markdown]
# ## 7. Instance norm
#
# Instance norm normalises each channel of each image on its own, over its
# $H \times W$ positions. Batch norm normalises a channel across all the
# images of the batch; instance norm removes each image's own per-channel
# contrast and colour statistics, which is exactly the "style" in style
# transfer. That is why fast style-transfer networks use instance norm: the
# output should not depend on the other images in the batch, nor keep the
# content image's contrast.

# %%
# include: instancenorm_forward, instancenorm_backward

# %%
grader.check("instancenorm")

# %% [markdown]
# **Which axes does each one average over?** For the same input, check how
# the four layers differ: a statistic computed over the axes marked with
# ✓ is shared by all the entries it covers.
#
# | layer | N | C | H, W |
# |---|---|---|---|
# | batch norm (spatial) | ✓ | | ✓ |
# | layer norm | | ✓ | ✓ |
# | instance norm | | | ✓ |
# | group norm | | ✓ (within a group) | ✓ |

# %%
x = rng.standard_normal((4, 6, 5, 5)) * rng.uniform(0.5, 3, (4, 6, 1, 1)) + rng.uniform(-3, 3, (4, 6, 1, 1))
g, b = np.ones(6), np.zeros(6)
outs = {
    "spatial batch norm": spatial_batchnorm_forward(x, g, b, {"mode": "train"})[0],
    "group norm, G = 1 (layer norm)": spatial_groupnorm_forward(x, g, b, 1, {})[0],
    "group norm, G = 3": spatial_groupnorm_forward(x, g, b, 3, {})[0],
    "instance norm": instancenorm_forward(x, g, b, {})[0],
}
for name, out in outs.items():
    print(f"{name:32s} per-(sample, channel) means of sample 0: {out[0].mean(axis=(1, 2))}")

# %% [markdown]
# ## Questions to think about
#
# 1. Why is the output of batch norm in training mode different for the same
#    example in two different batches, and why does that act as a regulariser?
# 2. Dropout before batch norm: at test time dropout stops dropping units, so
#    the variance of the activations changes, while batch norm keeps using the
#    running variance it saw during training (the "variance shift"). What
#    would you change?
# 3. Batch norm before or after the ReLU? The original paper puts it before
#    the non-linearity (conv, BN, ReLU), which is the common choice; some
#    practitioners report better results after it. What does each choice
#    normalise?
# 4. A convolution followed by batch norm does not need a bias. Why?
