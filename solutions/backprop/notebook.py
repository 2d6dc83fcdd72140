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
# # Backpropagation by hand
#
# "Derive backpropagation", "why do gradients vanish and how do you fix it",
# "what does dropout do at test time", "why not initialise the weights to zero",
# "why does L1 give sparse weights": these are among the most common
# deep-learning interview questions. In this assignment you answer them with
# code, in NumPy:
#
# | task | functions | points |
# |---|---|---|
# | `numeric_gradient` | `numeric_gradient` (the tool that checks all the others) | 2 |
# | `affine` | `affine_forward`, `affine_backward` | 2 |
# | `relu` | `relu_forward`, `relu_backward`, `leaky_relu_forward`, `leaky_relu_backward` | 2 |
# | `sigmoid_tanh` | `sigmoid_forward`, `sigmoid_backward`, `tanh_forward`, `tanh_backward` | 2 |
# | `elu` | `elu_forward`, `elu_backward` | 1 |
# | `dropout` | `dropout_forward`, `dropout_backward` | 2 |
# | `init` | `xavier_uniform`, `xavier_normal`, `kaiming_normal` | 2 |
# | `clip_grad` | `clip_grad_norm` | 1 |
# | `regularization` | `l1_regularization`, `l2_regularization` | 1 |
# | `two_layer_net` | `two_layer_net_loss` | 3 |
#
# Every layer is a pair `*_forward(...) -> (out, cache)` and
# `*_backward(dout, cache) -> dx` (or `(dx, dw, db)`); what goes in the cache is
# up to you. `dout` is the upstream gradient $\partial L / \partial \text{out}$,
# and every gradient has the shape of the array it is the gradient of.
# Your code must work for float64 and float32 inputs, use only NumPy, and be
# vectorised. `grader.check("<task>")` runs the public tests of a task; the
# graded (hidden) tests use random shapes and values, edge cases (multi-dimensional
# inputs, a batch of one, inputs up to $|x| = 1000$, float32) and PyTorch as the reference.

# %%
from autograder import Notebook

grader = Notebook("backprop")

import numpy as np

np.set_printoptions(precision=4, suppress=True)


def rel_error(a, b):
    """CS231n's relative error: max |a - b| / max(1e-8, |a| + |b|)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


# %% [markdown]
# ## 1. The numerical gradient: your safety net
#
# Backpropagation is the chain rule applied to a computational graph: every
# node receives $\partial L/\partial \text{out}$ from above and passes
# $\partial L/\partial \text{in} = \partial L/\partial \text{out} \cdot \partial \text{out}/\partial \text{in}$
# down. It is easy to get a transpose, a sum or a factor wrong, and the network
# still "trains", just badly. So before writing any backward pass, write the
# tool that checks it: the **central difference**
#
# $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h},$$
#
# whose error is $O(h^2)$ (the one-sided $\frac{f(x+h e_i) - f(x)}{h}$ is only $O(h)$).
# With $h = 10^{-5}$ in float64 a correct analytic gradient agrees to a
# relative error of about $10^{-7}$ or better.
#
# Conventions (CS231n's): perturb `x` **in place**, one entry at a time, call
# `f(x)`, and restore the entry **exactly** by storing the old value and
# putting it back (`x[i] += h; ...; x[i] -= 2*h; ...; x[i] += h` does not
# round-trip in floating point, and the next entries are then evaluated at a
# slightly wrong point). Because `x` is changed in place, a closure such as
# `lambda _: net_loss()` that reads `x` by itself also works.

# %%
# include: numeric_gradient

# %%
grader.check("numeric_gradient")

# %%
x = np.random.default_rng(0).standard_normal((3, 4))
grad = numeric_gradient(lambda z: np.sum(np.sin(z)), x.copy())
print("relative error against cos(x):", rel_error(grad, np.cos(x)))

# %% [markdown]
# ## 2. The affine layer
#
# $\text{out} = x W + b$ with $x$ of shape $(N, D)$, $W$ $(D, M)$, $b$ $(M,)$.
# Inputs such as images arrive as $(N, d_1, \dots, d_k)$: flatten each example
# to a row of length $D = d_1 \cdots d_k$ first. The backward pass follows from
# matching shapes:
#
# $$dx = d\text{out}\, W^\top \ \text{(reshaped back to } x\text{'s shape)},\qquad
#   dW = x^\top d\text{out},\qquad db = \textstyle\sum_n d\text{out}_n .$$
#
# $b$ is broadcast over the batch in the forward pass, so its gradient *sums*
# over the batch (a broadcast forward is a sum backward). Returning `dx` as
# $(N, D)$ instead of $x$'s own shape is the classic mistake here.

# %%
# include: affine_forward, affine_backward

# %%
grader.check("affine")

# %%
rng = np.random.default_rng(1)
x, w, b = rng.standard_normal((4, 2, 3)), rng.standard_normal((6, 5)), rng.standard_normal(5)
dout = rng.standard_normal((4, 5))
_, cache = affine_forward(x, w, b)
dx, dw, db = affine_backward(dout, cache)
dx_num = numeric_gradient(lambda _: np.sum(affine_forward(x, w, b)[0] * dout), x)
dw_num = numeric_gradient(lambda _: np.sum(affine_forward(x, w, b)[0] * dout), w)
print("dx error:", rel_error(dx, dx_num), " dw error:", rel_error(dw, dw_num))

# %% [markdown]
# ## 3. Why non-linearities, and the ReLU family
#
# Without a non-linearity a stack of affine layers is one affine layer:
# $(xW_1 + b_1)W_2 + b_2 = x(W_1W_2) + (b_1W_2 + b_2)$. With one, a single
# hidden layer wide enough can approximate any continuous function on a compact
# set (the universal approximation theorem); depth makes it cheaper.
#
# **ReLU** $\max(0, x)$ costs nothing to compute, does not saturate for $x > 0$
# (its gradient there is exactly 1, so it does not shrink gradients) and makes
# sparse activations. Its weakness: a unit whose input is negative for every
# example gets zero gradient forever, a "dead" ReLU (a large learning rate or a
# big negative bias can kill many of them).
#
# **Leaky ReLU** keeps a small slope for negative inputs,
# $\max(0, x) + \alpha \min(0, x)$, so no unit dies completely. At exactly
# $x = 0$ the derivative is undefined; like PyTorch we use 0 for ReLU and
# `negative_slope` for Leaky ReLU.

# %%
# include: relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward

# %%
grader.check("relu")

# %% [markdown]
# ## 4. Sigmoid and tanh
#
# $\sigma(x) = 1/(1 + e^{-x})$ squashes to $(0, 1)$ and
# $\sigma'(x) = \sigma(x)(1 - \sigma(x)) \le 1/4$. Its drawbacks: it
# saturates (for $|x| \gtrsim 5$ the gradient is almost 0), it is not
# zero-centred (all outputs positive, so the gradients of a layer's weights all
# share a sign and updates zig-zag), and `exp` is relatively expensive.
# $\tanh(x) = 2\sigma(2x) - 1$ is zero-centred but saturates just the same;
# $\tanh'(x) = 1 - \tanh^2(x)$.
#
# Both backward passes are cheapest written in terms of the **output**, which
# is why the output is what you cache.
#
# **Numerical stability.** `1 / (1 + np.exp(-x))` overflows (with a warning) for
# $x < -709$ and `np.exp(x) / (1 + np.exp(x))` gives `inf/inf = nan` for
# $x > 709$. Only ever exponentiate a non-positive number: with
# $z = e^{-|x|} \in (0, 1]$, $\sigma(x) = 1/(1+z)$ for $x \ge 0$ and $z/(1+z)$ for $x < 0$.

# %%
# include: sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward

# %%
grader.check("sigmoid_tanh")

# %%
with np.errstate(over="raise"):  # any overflow inside sigmoid_forward is an error here
    out, _ = sigmoid_forward(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0]))
print(out)

# %% [markdown]
# ## 5. ELU
#
# $\text{ELU}(x) = x$ for $x > 0$ and $\alpha(e^x - 1)$ otherwise. Negative
# outputs push the mean activation towards zero (like tanh), the negative side
# saturates smoothly at $-\alpha$, and there are no dead units. Its derivative
# for $x \le 0$ is $\alpha e^x = \text{out} + \alpha$ (so $\alpha$ at 0, as in PyTorch).
# Beware: `np.where(x > 0, x, alpha * (np.exp(x) - 1))` evaluates `np.exp`
# on *every* entry, positive ones too; clip the argument to $\le 0$ first.

# %%
# include: elu_forward, elu_backward

# %%
grader.check("elu")

# %% [markdown]
# ### Experiment: vanishing gradients in a deep sigmoid network
#
# Backpropagating through $L$ layers multiplies $L$ Jacobians. Each sigmoid
# contributes a factor $\sigma' \le 1/4$, so the gradient reaching the first
# layers shrinks geometrically: the first layers of a deep sigmoid network
# barely learn. ReLU's derivative is 1 where the unit is active, so with a
# suitable initialisation (He, section 7) the gradient norm stays roughly
# constant through the depth. Remedies for vanishing/exploding gradients:
# ReLU-family activations, careful initialisation, batch normalisation,
# residual connections, gradient clipping (section 8), and historically
# layer-wise pre-training followed by fine-tuning.
#
# Below: a 12-layer, 100-unit MLP on random data; we backpropagate a random
# upstream gradient and plot the norm of $\partial L/\partial W$ per layer.

# %%
import matplotlib.pyplot as plt

ACTIVATIONS = {
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "relu": (relu_forward, relu_backward),
}


def layer_grad_norms(activation, depth=12, width=100, seed=0):
    """Norm of dL/dW for every layer of a deep MLP (N(0, 1/width) weights)."""
    rng = np.random.default_rng(seed)
    forward, backward = ACTIVATIONS[activation]
    h = rng.standard_normal((64, width))
    caches = []
    for _ in range(depth):
        w = rng.standard_normal((width, width)) * np.sqrt(1.0 / width)
        if activation == "relu":
            w *= np.sqrt(2.0)  # He scaling
        a, cache_affine = affine_forward(h, w, np.zeros(width))
        h, cache_act = forward(a)
        caches.append((cache_affine, cache_act))
    dh = rng.standard_normal(h.shape)
    norms = []
    for cache_affine, cache_act in reversed(caches):
        da = backward(dh, cache_act)
        dh, dw, _ = affine_backward(da, cache_affine)
        norms.append(np.linalg.norm(dw))
    return norms[::-1]


plt.figure(figsize=(6, 3.5))
for name in ACTIVATIONS:
    plt.semilogy(range(1, 13), layer_grad_norms(name), marker="o", label=name)
plt.xlabel("layer (1 = closest to the input)")
plt.ylabel("||dL/dW||")
plt.title("Gradient norm per layer")
plt.legend()
plt.show()

# %% [markdown]
# ## 6. Dropout
#
# During training, dropout zeroes each unit independently with probability
# $p$ (PyTorch's convention: $p$ is the probability of **dropping**; the
# CS231n notes use the keep probability instead, so read carefully). The
# network can no longer rely on any single unit (no co-adaptation), which acts
# like training an ensemble of thinned networks that share weights.
#
# At test time we want the *expected* output. **Inverted dropout** scales the
# kept units by $1/(1-p)$ during training, so $E[\text{out}] = x$ and the test
# pass is simply the identity: nothing to rescale at inference. With $p = 1$
# everything is dropped (return zeros, do not divide by zero). The backward
# pass must use the **same mask** as the forward pass, so keep it in the
# cache. Same `seed`, same mask: create a generator with
# `np.random.default_rng(dropout_param.get("seed"))`.
#
# Why dropout is rarely used in convolutional layers: neighbouring pixels of a
# feature map are strongly correlated, so dropping single activations removes
# almost no information (the neighbours carry it), while convolution weights
# are few and shared, so they overfit less; batch norm also already
# regularises. Dropout lives in the large fully connected layers (or as
# spatial dropout, which drops whole channels).

# %%
# include: dropout_forward, dropout_backward

# %%
grader.check("dropout")

# %%
x = np.ones((1000, 100))
for mode in ("train", "test"):
    out, _ = dropout_forward(x, {"p": 0.4, "mode": mode, "seed": 0})
    print(f"{mode:5s}: mean output {np.mean(out):.3f}, fraction zeroed {np.mean(out == 0):.3f}")

# %% [markdown]
# ## 7. Initialisation: Xavier and He
#
# **All zeros (or any constant) breaks nothing but symmetry, and that is the
# problem.** If every hidden unit starts with the same weights, they all
# compute the same output, receive the same gradient, and stay identical after
# every update: the layer behaves like a single unit. Random initialisation
# breaks the symmetry (see the experiment after section 10).
#
# The scale matters too: too small and the signal (and gradient) shrinks layer
# after layer; too large and it explodes or saturates the activations.
# Keeping the variance of activations constant in the forward pass needs
# $\operatorname{Var}(w) = 1/n_\text{in}$; in the backward pass
# $1/n_\text{out}$. **Xavier/Glorot** (for tanh/sigmoid/linear) compromises:
# $\operatorname{Var}(w) = 2/(n_\text{in} + n_\text{out})$, i.e.
# $U(-a, a)$ with $a = \sqrt{6/(n_\text{in} + n_\text{out})}$ or
# $N(0, 2/(n_\text{in} + n_\text{out}))$. ReLU zeroes half of its inputs, halving the
# variance, so **He/Kaiming** doubles it: $N(0, 2/n_\text{in})$.
# (A uniform distribution on $[-a, a]$ has variance $a^2/3$.)
# Draw every random number from the `rng` you are given.

# %%
# include: xavier_uniform, xavier_normal, kaiming_normal

# %%
grader.check("init")

# %%
rng = np.random.default_rng(0)
for name, init in (("xavier_uniform", xavier_uniform), ("xavier_normal", xavier_normal), ("kaiming_normal", kaiming_normal)):
    W = init(400, 300, rng)
    print(f"{name:15s} shape {W.shape}, std {W.std():.4f}")
print("Xavier std should be", np.sqrt(2 / 700), "; He std", np.sqrt(2 / 400))

# %% [markdown]
# ## 8. Gradient clipping
#
# Exploding gradients (deep or recurrent networks, a bad batch) make one step
# destroy the weights. Clipping by the **global norm** rescales all gradients
# together when their joint L2 norm exceeds `max_norm`, which keeps the
# direction of the update and only shortens it:
#
# $$\text{total} = \sqrt{\textstyle\sum_k \lVert g_k \rVert^2},\qquad
#   g_k \leftarrow g_k \cdot \min\!\left(1, \frac{\text{max\_norm}}{\text{total} + 10^{-6}}\right).$$
#
# This is `torch.nn.utils.clip_grad_norm_`. Clipping every array by its own
# norm changes the direction; forgetting the `min(1, ...)` scales small
# gradients *up*.

# %%
# include: clip_grad_norm

# %%
grader.check("clip_grad")

# %% [markdown]
# ## 9. L1 and L2 regularisation
#
# Adding $\frac{\lambda}{2}\sum w^2$ (L2, "weight decay") to the loss adds
# $\lambda w$ to the gradient: every step shrinks each weight by a fixed
# *fraction*, so weights get small but rarely exactly zero. Adding
# $\lambda \sum |w|$ (L1) adds $\lambda\,\text{sign}(w)$: a constant push
# towards zero whatever the size of the weight, so small weights reach zero and
# the model becomes **sparse** (feature selection). Geometrically, the L1 ball
# is a diamond whose corners lie on the axes, where the loss contours touch it
# first; the L2 ball is round. (Biases are usually not regularised.)

# %%
# include: l1_regularization, l2_regularization

# %%
grader.check("regularization")

# %%
# Least squares with 20 features of which only 3 matter, trained by (sub)gradient descent.
rng = np.random.default_rng(0)
A = rng.standard_normal((200, 20))
w_true = np.zeros(20)
w_true[:3] = [2.0, -3.0, 1.5]
t = A @ w_true + 0.1 * rng.standard_normal(200)
plt.figure(figsize=(7, 3))
for i, (name, penalty, reg) in enumerate((("L2", l2_regularization, 0.5), ("L1", l1_regularization, 0.1))):
    w = rng.standard_normal(20) * 0.1
    for step in range(2000):
        grad_data = A.T @ (A @ w - t) / len(t)
        _, g = penalty({"w": w}, reg)
        w = w - 0.01 * (grad_data + g["w"])
    plt.subplot(1, 2, i + 1)
    plt.bar(range(20), w)
    plt.title(f"{name}: {np.sum(np.abs(w) < 1e-2)} weights below 0.01")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 10. A two-layer network
#
# Put it together: affine - ReLU - affine - softmax, with the mean
# cross-entropy over the batch and the penalty $\frac{\lambda}{2}(\lVert W_1\rVert^2 + \lVert W_2\rVert^2)$.
# With $p = \text{softmax}(s)$, the gradient of the mean cross-entropy with
# respect to the scores is $(p - \text{onehot}(y))/N$; from there,
# backpropagate through your layers (reusing your `*_backward` functions) and
# add $\lambda W$ to the weight gradients. Compute the softmax stably: subtract
# each row's maximum score before `exp` (and prefer log-softmax to `log(softmax)`).
# With `y=None`, return the scores.

# %%
# include: two_layer_net_loss

# %%
grader.check("two_layer_net")

# %%
rng = np.random.default_rng(0)
X, y = rng.standard_normal((10, 6)), rng.integers(0, 3, size=10)
params = {"W1": xavier_normal(6, 8, rng), "b1": np.zeros(8), "W2": xavier_normal(8, 3, rng), "b2": np.zeros(3)}
loss, grads = two_layer_net_loss(params, X, y, reg=0.1)
for name in params:
    numeric = numeric_gradient(lambda _: two_layer_net_loss(params, X, y, reg=0.1)[0], params[name])
    print(f"{name}: relative error {rel_error(grads[name], numeric):.2e}")

# %% [markdown]
# ### Experiment: constant initialisation keeps hidden units identical
#
# Train the same network on a small problem twice: once with every weight set
# to the same constant, once with Xavier initialisation. With the constant
# start, all hidden units receive identical gradients and remain copies of one
# another; the spread between hidden units stays exactly zero.

# %%
def train(params, X, y, steps=200, lr=0.5):
    params = {k: v.copy() for k, v in params.items()}
    losses = []
    for _ in range(steps):
        loss, grads = two_layer_net_loss(params, X, y, reg=1e-3)
        for k in params:
            params[k] -= lr * grads[k]
        losses.append(loss)
    return params, losses


rng = np.random.default_rng(0)
X = rng.standard_normal((200, 2))
y = (X[:, 0] * X[:, 1] > 0).astype(int)  # XOR-like: needs the hidden layer
D, H, C = 2, 16, 2
constant = {"W1": np.full((D, H), 0.1), "b1": np.zeros(H), "W2": np.full((H, C), 0.1), "b2": np.zeros(C)}
xavier = {"W1": xavier_normal(D, H, rng), "b1": np.zeros(H), "W2": xavier_normal(H, C, rng), "b2": np.zeros(C)}
plt.figure(figsize=(6, 3.5))
for name, start in (("constant 0.1", constant), ("xavier", xavier)):
    trained, losses = train(start, X, y)
    spread = np.max(np.std(trained["W1"], axis=1))
    print(f"{name:12s}: final loss {losses[-1]:.3f}, spread of W1 across hidden units {spread:.2e}")
    plt.plot(losses, label=name)
plt.xlabel("step")
plt.ylabel("loss")
plt.legend()
plt.show()

# %% [markdown]
# ### Questions to think about
#
# 1. Why does a sigmoid output layer with a squared-error loss learn slowly when
#    it is confidently wrong, while softmax/sigmoid with cross-entropy does not?
#    (Look at which factors the gradient contains.)
# 2. Your He-initialised ReLU network in the experiment above kept its gradient
#    norm; what happens with Xavier initialisation and 50 layers?
# 3. Why is dropout turned off (or, for inverted dropout, *not* rescaled) at test time?
