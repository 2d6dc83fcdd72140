# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Convolutions from scratch: im2col, conv layers, pooling, transposed convolution
#
# A CNN is, in the words of the interview notes, *input layer + {[CONV + ReLU] x a} x b + POOL} x c + FC x d*.
# Each convolution layer extracts features; pooling compresses the feature maps (smaller maps, cheaper
# later layers, the dominant features kept); the fully connected layers at the end act as the classifier.
#
# Why convolutions instead of fully connected layers? Two ideas:
#
# - **local connectivity**: a unit only looks at a small window of the previous layer (its *receptive field*),
#   not at every pixel;
# - **parameter sharing**: the same small kernel slides over the whole image, so a 3x3 conv from 64 to 64
#   channels has 64 * 64 * 9 weights whatever the image size, where a dense layer between two 56x56x64 maps
#   would need about 4e10.
#
# (The precondition for sharing: the statistics of the data are the same everywhere in the image.)
#
# In this notebook you implement, in NumPy only:
#
# 1. the output size of a convolution and the receptive field of a stack of layers;
# 2. `im2col` / `col2im`, which turn a convolution into one big matrix multiply;
# 3. the convolution layer forward and backward, with `groups` (MobileNet's depthwise convolution);
# 4. max and average pooling, forward and backward;
# 5. the transposed convolution ("deconvolution") and its checkerboard artefacts.
#
# Every function is graded against PyTorch (`torch.nn.functional.conv2d`, `unfold`, `fold`, `max_pool2d`,
# `avg_pool2d`, `conv_transpose2d`) on random inputs, including float32 ones. `conv_forward`, `im2col` and
# `col2im` are also timed: a Python loop over pixels is too slow.

# %%
from autograder import Notebook

grader = Notebook("convolution")

import numpy as np

# %% [markdown]
# ## 1. Output size
#
# A kernel of length $k$ with dilation $d$ spans $d(k-1)+1$ input positions. After padding $p$ zeros on
# **both** sides, an input of length $n$ has room for
#
# $$ n_{out} = \left\lfloor \frac{n + 2p - d(k-1) - 1}{s} \right\rfloor + 1 $$
#
# windows with stride $s$. The floor matters: when the stride does not divide evenly, the last incomplete
# window is simply dropped (rounding up is the classic mistake). Two sizes to remember:
# a 3x3 conv with pad 1 and stride 1 keeps the size ("same" padding), and with stride 2 it halves it.

# %%
# include: conv_output_size

# %%
grader.check("output_size")

# %% [markdown]
# ## 2. Receptive field
#
# The receptive field of a unit is the size of the input region it depends on. Walk from the input to the
# output keeping two numbers: the receptive field $r$ (1 at the input) and the *jump* $j$, the distance in
# input pixels between two neighbouring units of the current layer (1 at the input). A layer with kernel
# $k$, stride $s$ and dilation $d$ does
#
# $$ r \leftarrow r + (d(k-1))\, j, \qquad j \leftarrow j \cdot s. $$
#
# Note the order: a layer's own stride only affects the layers *after* it. Equivalently, from the output
# back to the input: $r \leftarrow (r - 1)s + d(k-1) + 1$.
#
# Classic consequences: two stacked 3x3 convs see 5x5 and three see 7x7 (VGG's argument: same receptive
# field as one 7x7, fewer parameters, more non-linearities); strides and pooling make the receptive field grow
# geometrically; dilation grows it without losing resolution.

# %%
# include: receptive_field

# %%
grader.check("receptive_field")

# %% [markdown]
# Receptive field growth with depth: stride-1 3x3 stacks grow linearly, a stride-2 layer every other
# layer makes them grow exponentially, and so do dilations 1, 2, 4, ...

# %%
import matplotlib.pyplot as plt

depths = np.arange(1, 13)
plain = [receptive_field([(3, 1)] * n) for n in depths]
strided = [receptive_field([(3, 2 if i % 2 else 1) for i in range(n)]) for n in depths]
dilated = [receptive_field([(3, 1, 2 ** i) for i in range(n)]) for n in depths]
plt.figure(figsize=(6, 4))
plt.plot(depths, plain, "o-", label="3x3, stride 1")
plt.plot(depths, strided, "s-", label="3x3, stride 2 every other layer")
plt.plot(depths, dilated, "^-", label="3x3, dilation 1, 2, 4, ...")
plt.yscale("log")
plt.xlabel("depth (layers)")
plt.ylabel("receptive field (pixels)")
plt.legend()
plt.show()

# %% [markdown]
# ## 3. im2col: convolution as a matrix multiply
#
# A convolution computes, for every output position, a dot product between the kernel and the window of the
# input under it. `im2col` copies every window into a column:
#
# - `x` of shape `(N, C, H, W)` becomes `cols` of shape `(N, C*kh*kw, L)`, `L = out_h * out_w`;
# - row `(c*kh + u)*kw + v` holds input channel `c` at kernel offset `(u, v)` (channel first, like
#   `torch.nn.functional.unfold`); column `i*out_w + j` is the window of output pixel `(i, j)`.
#
# Then the whole layer is one matrix product: `w.reshape(F, C*kh*kw) @ cols` gives `(N, F, L)`. The price
# is memory (every input pixel is copied up to kh*kw times); the gain is that BLAS does the work.
#
# **Padding** (a classic interview question): pad first, then unfold. With pad 1 and a 3x3 kernel the first
# window is centred on the top-left pixel: its first row and column come from the zeros.
#
# **How to vectorise it:** loop over the `kh*kw` kernel offsets `(u, v)` only. For a fixed offset, the
# entries of all windows form one strided slice of the padded input:
# `x_pad[:, :, u : u + s_h*out_h : s_h, v : v + s_w*out_w : s_w]`, of shape `(N, C, out_h, out_w)`.
# No Python loop over N, H or W (a loop per output pixel is graded as too slow). `stride` and `pad` may be
# ints or `(h, w)` pairs: the helper `_pair` turns either into a pair.

# %%
# include: im2col

# %%
grader.check("im2col")

# %% [markdown]
# What im2col produces for a 1x1x4x4 image holding 0..15, a 2x2 kernel and stride 1: each column is one
# window (9 windows), each row one kernel offset. Look how neighbouring columns overlap.

# %%
import matplotlib.pyplot as plt

image = np.arange(16, dtype=float).reshape(1, 1, 4, 4)
cols = im2col(image, 2, 2)[0]
fig, axes = plt.subplots(1, 2, figsize=(9, 3))
axes[0].imshow(image[0, 0], cmap="viridis")
axes[0].set_title("image (4x4)")
for (r, c), value in np.ndenumerate(image[0, 0]):
    axes[0].text(c, r, int(value), ha="center", va="center", color="w")
axes[1].imshow(cols, cmap="viridis", aspect="auto")
axes[1].set_title("im2col: rows = kernel offsets, columns = windows")
for (r, c), value in np.ndenumerate(cols):
    axes[1].text(c, r, int(value), ha="center", va="center", color="w")
axes[1].set_xlabel("window (output pixel)")
axes[1].set_ylabel("(c, u, v)")
plt.show()

# %% [markdown]
# ## 4. col2im: the adjoint of im2col
#
# `col2im` goes back: every entry of `cols` is **added** to the input position it was copied from. Where
# windows overlap (stride smaller than the kernel) a pixel receives several contributions: they must be
# summed (`+=`), not overwritten. Entries that fall into the padding are dropped when you crop it.
# This is exactly `torch.nn.functional.fold`, and exactly what the backward pass of im2col needs:
# if `cols = im2col(x)` then `dx = col2im(dcols)`.
#
# Careful with the crop: `x_pad[:, :, p:-p]` is empty when `p == 0`. Use `x_pad[:, :, p:p + H]`.

# %%
# include: col2im

# %%
grader.check("col2im")

# %% [markdown]
# Folding columns of ones counts how many windows cover each pixel: the centre of the image is seen by
# kh*kw windows, the borders by fewer. (This is also why average pooling's backward needs no such count:
# each window divides by its own size.)

# %%
print(col2im(np.ones((1, 9, 25)), (1, 1, 5, 5), 3, 3, stride=1, pad=1)[0, 0])

# %% [markdown]
# ## 5. Convolution layer, forward
#
# Deep-learning "convolution" is a cross-correlation (no kernel flip):
#
# $$ out[n, f, i, j] = b_f + \sum_{c,u,v} x_{pad}[n, c, i s_h + u, j s_w + v]\; w[f, c, u, v]. $$
#
# With im2col: `out = w.reshape(F, -1) @ cols + b`, reshaped to `(N, F, out_h, out_w)`.
#
# **Groups.** With `groups = G`, the `C` input channels and the `F` filters are split into `G` consecutive
# blocks; filter block `g` only sees channel block `g`, so `w` has shape `(F, C/G, kh, kw)`.
# In the im2col layout the rows of channel block `g` are consecutive too, so reshape `cols` to
# `(N, G, C/G*kh*kw, L)` and `w` to `(G, F/G, C/G*kh*kw)` and use one batched `np.matmul`.
#
# `groups == C` is the **depthwise** convolution of MobileNet: each channel is filtered on its own; followed
# by a 1x1 (pointwise) convolution it forms the *depthwise separable* convolution, with about
# $1/F + 1/k^2$ of the multiply-adds of a full convolution. The notes point out why MobileNet is not
# faster on a GPU: a depthwise conv does very little arithmetic per byte of memory it reads, so it is
# memory-bandwidth bound and cannot keep a GPU busy; on a CPU, with its caches, the savings show.
#
# `conv_param` may omit keys: `stride` defaults to 1, `pad` to 0, `groups` to 1 (`conv_param.get`).
# This function is timed on a medium layer (N=8, 8 -> 16 channels, 16x16, 3x3).

# %%
# include: conv_forward

# %%
grader.check("conv_forward")

# %% [markdown]
# ## 6. Convolution layer, backward
#
# With `out = W cols + b` (per group), the backward pass is the one of a fully connected layer applied to
# every window, followed by col2im:
#
# - `db = dout.sum(axis=(0, 2, 3))` (summed over the batch and the pixels, not averaged);
# - `dw = sum_n dout_n @ cols_n^T` (per group), reshaped to `w.shape`;
# - `dcols = W^T dout`, and `dx = col2im(dcols)`: overlapping windows add their gradients, pixels that no
#   window covers (when the stride does not divide evenly) get zero.
#
# Keep `cols` in the cache: recomputing it in the backward pass is wasteful.

# %%
# include: conv_backward

# %%
grader.check("conv_backward")

# %% [markdown]
# A numerical gradient check of your layer, on a small grouped convolution:

# %%
def numeric_grad(f, x, dout, h=1e-6):
    grad = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        old = x[index]
        x[index] = old + h
        plus = f(x)
        x[index] = old - h
        minus = f(x)
        x[index] = old
        grad[index] = np.sum((plus - minus) * dout) / (2 * h)
    return grad


rng = np.random.default_rng(0)
x = rng.standard_normal((2, 4, 5, 6))
w = rng.standard_normal((6, 2, 3, 2))
b = rng.standard_normal(6)
param = {"stride": 2, "pad": 1, "groups": 2}
out, cache = conv_forward(x, w, b, param)
dout = rng.standard_normal(out.shape)
dx, dw, db = conv_backward(dout, cache)
dx_num = numeric_grad(lambda v: conv_forward(v, w, b, param)[0], x, dout)
dw_num = numeric_grad(lambda v: conv_forward(x, v, b, param)[0], w, dout)
print("dx error", np.abs(dx - dx_num).max(), " dw error", np.abs(dw - dw_num).max())

# %% [markdown]
# ## 7. Max pooling
#
# Forward: the maximum of each `pool_height x pool_width` window (no padding; windows may overlap when
# `stride` is smaller than the window). Reuse im2col: reshape `x` to `(N*C, 1, H, W)` so that every
# column holds one window of one channel, and take `argmax` over the rows.
#
# Backward (from the notes): pooling must keep the total gradient unchanged. Max pooling passes the
# upstream gradient to the single input that was the maximum (the *max id* you record in the forward pass)
# and gives zero to the others. When several entries tie for the maximum, the gradient goes to the
# **first** one in row-major window order (what `np.argmax` returns, and what PyTorch does). A mask
# `x == max` would hand the gradient to every tied entry and multiply it. Overlapping windows add up.

# %%
# include: max_pool_forward, max_pool_backward

# %%
grader.check("max_pool")

# %% [markdown]
# ## 8. Average pooling
#
# Forward: the mean of each window. Backward (the notes again): the gradient of an output is split into
# `pool_height * pool_width` equal parts, one for each input of its window, so the total is preserved.
# Overlapping windows add up (col2im again).

# %%
# include: avg_pool_forward, avg_pool_backward

# %%
grader.check("avg_pool")

# %% [markdown]
# ## 9. Transposed convolution
#
# A convolution maps a big image to a small one with a matrix $C$ (the im2col matrix times the weights).
# The transposed convolution applies $C^T$: it maps small to big, and is what the backward pass of a
# convolution does to `dout`. Concretely: every input pixel scatters a copy of the kernel, scaled by its
# value, into the output, at stride `s`; overlapping copies add up; then `pad` rows/columns are cropped on
# each side. With im2col machinery: `cols = w.reshape(C_in, F*kh*kw).T @ x.reshape(N, C_in, H*W)`, then
# `col2im(cols)` into `(N, F, H_out, W_out)` with
#
# $$ H_{out} = (H - 1)s - 2p + k_h. $$
#
# Note the weight layout `(C_in, F, kh, kw)` (input channels first, as in PyTorch). The backward pass is a
# plain convolution: `dx = W @ im2col(dout)`, `dw = sum_n x_n @ im2col(dout)_n^T`, `db = dout.sum((0, 2, 3))`.

# %%
# include: conv_transpose_forward, conv_transpose_backward

# %%
grader.check("conv_transpose")

# %% [markdown]
# ### Checkerboard artefacts
#
# Images generated with transposed convolutions show a checkerboard pattern when you zoom in. The cause
# (from the notes): when the kernel size is not divisible by the stride, the kernel copies overlap unevenly:
# some output pixels receive contributions from more copies than their neighbours. With stride 2 and a 3x3
# kernel, a constant input gives outputs covered by 1, 2 or 4 copies. In 2-D (two axes multiply) the effect
# is stronger than in 1-D.
#
# Remedies: choose a kernel size divisible by the stride (4x4 with stride 2), or upsample first
# (nearest-neighbour / bilinear resize followed by a normal convolution, *resize-conv*), or use
# *pixel shuffle* (sub-pixel convolution: a convolution producing `s*s*F` channels rearranged into an
# `s`-times larger image); a separable convolution after the deconvolution also smooths it out.

# %%
import matplotlib.pyplot as plt

x = np.ones((1, 1, 8, 8))
fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for ax, k in zip(axes, (3, 4)):
    out, _ = conv_transpose_forward(x, np.ones((1, 1, k, k)), np.zeros(1), {"stride": 2, "pad": 1})
    image = ax.imshow(out[0, 0], cmap="gray")
    ax.set_title(f"stride 2, kernel {k}x{k}: interior values {sorted({int(v) for v in out[0, 0, 2:-2, 2:-2].ravel()})}")
    fig.colorbar(image, ax=ax)
plt.show()

# %% [markdown]
# With a 3x3 kernel the interior alternates between 1, 2 and 4 (a checkerboard); with a 4x4 kernel every
# interior pixel is covered by exactly 4 copies and the output is flat.
#
# ## Questions to think about
#
# - Why is the output of a stride-1 3x3 convolution with pad 1 the same size as its input? With pad 0?
# - How many multiply-adds does a 3x3 conv from 64 to 128 channels on a 56x56 map cost? And its depthwise
#   separable version?
# - Why does dropout help less in convolutional layers than in fully connected ones? (Neighbouring
#   activations are strongly correlated, so the information dropped at one position still flows through
#   its neighbours.)
# - Why does max pooling's backward pass need the argmax from the forward pass, and average pooling's not?
