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
# # CNN architectures in PyTorch: ResNet, ResNeXt, ResNet v2, Inception, DenseNet, MobileNet
#
# The interview notes list the classic CNNs (LeNet, AlexNet, VGG, GoogLeNet, ResNet, DenseNet) and ask
# the same questions again and again: *what was ResNet's biggest improvement, and why does it fight
# vanishing gradients? What did ResNet v2 change? What is ResNeXt's cardinality? Why the 1x1
# convolutions in Inception, and why factorise a 7x7? Why is DenseNet expressive yet cheap in parameters?
# Why is MobileNet not fast on a GPU?* In this notebook you build each block as a `torch.nn.Module` and
# then **measure** the answer instead of memorising it.
#
# You write, in `architectures.py` or in the cells below:
#
# 1. `conv2d_parameter_count`, `conv2d_macs`, `count_parameters`: the bookkeeping every design argument uses;
# 2. `BasicBlock`, `Bottleneck` (ResNet v1.5 and ResNeXt), `PreActBlock` (ResNet v2);
# 3. `InceptionModule` (GoogLeNet) and `Factorized7x7` (Inception v3);
# 4. `DenseBlock` (DenseNet-BC);
# 5. `DepthwiseSeparableConv` (MobileNet v1).
#
# **Names are part of the contract.** The grader builds your module, then loads its own weights with
# `module.load_state_dict(weights, strict=True)`. That only works if your attributes are called exactly as
# in the docstrings (`conv1`, `bn1`, `downsample`, `branch2`, `denselayer3`, ...), where torchvision has
# the block these are torchvision's names, so a trained torchvision checkpoint would load into your
# classes too. Inside an `nn.Sequential` the children are numbered, ReLUs and pooling layers included:
# `branch2 = nn.Sequential(conv, ReLU, conv, ReLU)` has keys `branch2.0.weight` and `branch2.2.weight`.
#
# **Device and dtype.** The grader runs your modules in float64 and float32, on the CPU and (when the
# course has one) on a GPU, by calling `module.to(device, dtype)`. `nn.Module.to` moves every parameter
# and buffer you registered; it cannot move a tensor you create inside `forward`. So never write
# `torch.zeros(n, c, h, w)` in `forward`: write `x.new_zeros(...)`, `torch.zeros_like(x)`, or pass
# `device=x.device, dtype=x.dtype`. And never modify the input in place (`x += ...`, `x.relu_()`): the
# caller may still need it, and autograd refuses in-place changes to tensors it saved.

# %%
from autograder import Notebook

grader = Notebook("architectures")

import time
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

# %% [markdown]
# ## 1. Counting parameters and multiply-accumulates
#
# A convolution `nn.Conv2d(C_in, C_out, (kh, kw), groups=g)` has a weight of shape
# `(C_out, C_in / g, kh, kw)`: with `g` groups, each output channel only sees the `C_in / g` input
# channels of its group. Plus `C_out` biases when `bias=True`. One forward pass for one image computes
# `C_out * oh * ow` outputs, each a dot product of length `(C_in / g) * kh * kw`:
#
# $$ \text{MACs} = C_{out} \cdot \frac{C_{in}}{g} \cdot k_h k_w \cdot o_h o_w $$
#
# (a MAC is one multiply and one add; FLOPs are usually quoted as 2 x MACs). `count_parameters(module)`
# counts the *trainable* parameters of any module as `module.parameters()` yields them: a weight shared by
# two layers (tied embeddings, a layer reused twice) is one tensor and counts once; frozen parameters
# (`requires_grad=False`, e.g. a pretrained backbone) and buffers (batch norm's running statistics) do
# not count.

# %%
# include: _pair, conv2d_parameter_count, conv2d_macs, count_parameters

# %%
grader.check("conv_counts")
grader.check("count_parameters")

# %% [markdown]
# ## 2. ResNet: the residual block
#
# A plain deep network has to learn each mapping $H(x)$ directly; a residual block learns
# $F(x) = H(x) - x$ and outputs $y = \mathrm{relu}(F(x) + x)$. The notes' answer to *why does this help
# against vanishing gradients* is one line of calculus: without the final ReLU,
#
# $$ \frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}\left(I + \frac{\partial F}{\partial x}\right), $$
#
# so the gradient reaching a block is the gradient of the block above **plus** a correction, not a
# product of many Jacobians that shrinks (or explodes) geometrically with depth. If a layer is not
# needed, $F = 0$ is easy to learn, so a deeper ResNet is never harder to fit than a shallower one:
# that is why 152 layers trained where a 56-layer plain network had a *higher training error* than a
# 20-layer one (the degradation problem).
#
# `BasicBlock` (ResNet-18/34): `conv1` 3x3 (with the stride) -> `bn1` -> ReLU -> `conv2` 3x3 -> `bn2`,
# **add** the shortcut, **then** ReLU. The shortcut is `x` itself when the shape is unchanged, else
# `downsample = Sequential(1x1 conv with the stride, BatchNorm2d)` (a "projection").

# %%
# include: BasicBlock

# %%
grader.check("basic_block")

# %% [markdown]
# ### Experiment: do gradients survive depth?
#
# Stack `depth` blocks at initialisation (PyTorch's default initialisation), push a batch through in
# train mode, back-propagate a random output gradient, and measure the norm of the gradient that reaches
# the **input**, relative to the one at the output. Three stacks with the same convolutions:
#
# - *plain*: `relu(conv2(relu(conv1(x))))`, no batch norm, no shortcut;
# - *plain + BN*: your block without its shortcut, `relu(bn2(conv2(relu(bn1(conv1(x))))))`;
# - *residual*: your `BasicBlock`.

# %%
class PlainBlock(BasicBlock):
    """A BasicBlock without its shortcut."""

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)))


class PlainNoNorm(BasicBlock):
    """A BasicBlock without its shortcut and without batch norm."""

    def forward(self, x):
        return F.relu(self.conv2(F.relu(self.conv1(x))))


def input_gradient_ratio(block_class, depth, channels=8, size=16, seed=0):
    """||dL/dx|| / ||dL/dout|| for a stack of `depth` blocks in train mode, at initialisation."""
    torch.manual_seed(seed)
    net = nn.Sequential(*[block_class(channels, channels) for _ in range(depth)]).double()
    x = torch.randn(8, channels, size, size, dtype=torch.float64, requires_grad=True)
    out = net(x)
    dout = torch.randn_like(out)
    out.backward(dout)
    return (x.grad.norm() / dout.norm()).item()


try:
    print(f"{'blocks':>7} {'conv layers':>12} {'plain':>10} {'plain + BN':>11} {'residual':>10}")
    for depth in (1, 4, 16, 32):
        ratios = [input_gradient_ratio(block, depth) for block in (PlainNoNorm, PlainBlock, BasicBlock)]
        print(f"{depth:7d} {2 * depth:12d} " + " ".join(f"{r:10.2e}" for r in ratios))
except NotImplementedError:
    print("implement BasicBlock first")

# %% [markdown]
# Read the table. In a plain stack the input gradient is a **product** of one Jacobian per layer, so it
# changes geometrically with depth: without normalisation each layer shrinks it (ReLU zeroes half of it,
# and the default initialisation is smaller than He's), and after 64 layers essentially nothing reaches
# the input: the early layers cannot learn. Batch norm does not make a plain stack healthy either: in
# train mode it makes the gradient *explode* geometrically instead (a known effect at initialisation, Yang
# et al. 2019). In the residual stack every block **adds** its correction to an identity path,
# `dL/dx = dL/dy (I + dF/dx)`: the gradient only grows slowly with depth, orders of magnitude away from
# both failure modes. (Run it with other seeds: the numbers move, the three behaviours do not.)

# %% [markdown]
# ## 3. Bottleneck blocks and ResNeXt's cardinality
#
# ResNet-50 and deeper use the **bottleneck**: a 1x1 convolution reduces the channels (256 -> 64), the
# 3x3 works on the thin tensor, a 1x1 expands back (64 -> 256, `expansion = 4`). torchvision puts the
# stride on the 3x3 (`conv2`), not on the first 1x1 as the original paper did: this "ResNet v1.5" is
# about 0.5% more accurate, because a strided 1x1 convolution simply throws away three quarters of its
# input positions.
#
# **ResNeXt** (the notes: "the best-performing ResNet variant") splits the 3x3 into `groups` parallel
# paths of `base_width` channels each: *split - transform - merge* as in Inception, but with identical
# branches, so one number, the **cardinality**, describes it. A grouped convolution is exactly that set
# of parallel branches. The width is `width = int(planes * base_width / 64) * groups`; ResNeXt-50 32x4d
# has `groups=32, base_width=4`, so its first stage has `width = 128`.

# %%
# include: Bottleneck

# %%
grader.check("bottleneck")

# %% [markdown]
# Now the budget. Three blocks that map 256 channels to 256 channels on a 56x56 feature map: two 3x3
# convolutions (a `BasicBlock` at that width), a ResNet-50 bottleneck, and a ResNeXt-50 32x4d bottleneck.

# %%
def conv_table(rows, size):
    """rows: (name, [(in, out, kernel, groups), ...]) -> parameters and MACs of the convolutions (no bias)."""
    print(f"{'block':<34} {'parameters':>11} {'MACs (M)':>9}")
    for name, convs in rows:
        params = sum(conv2d_parameter_count(i, o, k, groups=g, bias=False) for i, o, k, g in convs)
        macs = sum(conv2d_macs(i, o, k, size, groups=g) for i, o, k, g in convs)
        print(f"{name:<34} {params:11,d} {macs / 1e6:9.1f}")


try:
    conv_table([
        ("two 3x3, 256 channels", [(256, 256, 3, 1), (256, 256, 3, 1)]),
        ("bottleneck 256-64-64-256", [(256, 64, 1, 1), (64, 64, 3, 1), (64, 256, 1, 1)]),
        ("ResNeXt 256-128-128(g=32)-256", [(256, 128, 1, 1), (128, 128, 3, 32), (128, 256, 1, 1)]),
    ], size=56)
    resnet = Bottleneck(256, 64)
    resnext = Bottleneck(256, 64, groups=32, base_width=4)
    print("count_parameters, with batch norm:", count_parameters(resnet), "(ResNet-50)", count_parameters(resnext), "(ResNeXt-50 32x4d)")
except NotImplementedError:
    print("implement the counting functions and Bottleneck first")

# %% [markdown]
# The bottleneck costs about 17 times less than two full 3x3 convolutions at 256 channels. ResNeXt
# spends the *same* budget differently: its 3x3 is twice as wide (128 channels) but split into 32 groups
# of 4, so it costs about what ResNet's 64-channel 3x3 does. The paper's finding, quoted in the notes:
# at equal parameters and MACs, more cardinality beats more depth or width (a 101-layer ResNeXt is about
# as accurate as a 200-layer ResNet at half the computation).

# %% [markdown]
# ## 4. ResNet v2: pre-activation
#
# He et al.'s second paper ("Identity Mappings in Deep Residual Networks") moves batch norm and ReLU
# *before* each convolution and removes the ReLU after the sum:
#
# $$ x_{l+1} = x_l + F(x_l) \quad\Rightarrow\quad x_L = x_l + \sum_{i=l}^{L-1} F(x_i),
# \qquad \frac{\partial L}{\partial x_l} = \frac{\partial L}{\partial x_L}\Big(1 + \frac{\partial}{\partial x_l}\sum_i F(x_i)\Big). $$
#
# Any block's input reaches any later block, and the gradient flows back, through a pure identity: the
# notes' "f is an identity mapping, which makes optimisation easier", and the pre-activation also
# regularises (each residual branch sees normalised inputs). A projection shortcut, when needed, is a
# bare 1x1 convolution applied to the pre-activated `relu(bn1(x))`.

# %%
# include: PreActBlock

# %%
grader.check("preact_block")

# %% [markdown]
# A cheap way to *see* the clean identity path: zero every residual branch (the last convolution's
# weight), then stack blocks. ResNet v2 passes its input through untouched; ResNet v1 applies a ReLU at
# every block, so everything negative in the signal is gone after the first one.

# %%
def zero_branch_stack(block_class, last_conv, depth=10, channels=4):
    net = nn.Sequential(*[block_class(channels, channels) for _ in range(depth)]).eval()
    with torch.no_grad():
        for block in net:
            getattr(block, last_conv).weight.zero_()
    return net


try:
    x = torch.randn(1, 4, 5, 5)
    with torch.no_grad():
        v1 = zero_branch_stack(BasicBlock, "conv2")(x)
        v2 = zero_branch_stack(PreActBlock, "conv2")(x)
    # In eval mode BasicBlock's bn2 still adds its bias (0 at init), so the branch is exactly zero.
    print("ResNet v2: output == input:", torch.allclose(v2, x), "  ResNet v1: output == relu(input):", torch.allclose(v1, F.relu(x)))
except NotImplementedError:
    print("implement BasicBlock and PreActBlock first")

# %% [markdown]
# ## 5. Inception: 1x1 reductions
#
# GoogLeNet's Inception module looks at the same input with several receptive fields at once (1x1, 3x3,
# 5x5 and a 3x3 max pool) and concatenates the results along the channels: the notes' "wider network,
# multi-scale information". Done naively that is expensive, and the channel count explodes, because the
# pooling branch keeps all its input channels. The fix is the **1x1 convolution** in front of the 3x3
# and 5x5 ("reduction") and after the pool ("projection"): it mixes channels without looking at
# neighbours, so it shrinks the tensor the expensive convolutions see for a small price.
#
# Structure (torchvision's `BasicConv2d` adds batch norm; here it is the paper's v1: convolutions with
# bias and ReLU): `branch1 = [1x1]`, `branch2 = [1x1 reduce, 3x3]`, `branch3 = [1x1 reduce, 5x5]`,
# `branch4 = [3x3 max pool stride 1 pad 1, 1x1 projection]`, each convolution followed by a ReLU, and
# `torch.cat([b1, b2, b3, b4], dim=1)`.

# %%
# include: InceptionModule

# %%
grader.check("inception")

# %% [markdown]
# GoogLeNet's module 3a: 192 input channels on a 28x28 map; `ch1x1=64, ch3x3red=96, ch3x3=128,
# ch5x5red=16, ch5x5=32, pool_proj=32`. Compare with the same module without the reductions (3x3 and 5x5
# straight on the 192 channels, the pooled 192 channels concatenated as they are).

# %%
try:
    with_reductions = InceptionModule(192, 64, 96, 128, 16, 32, 32)
    print(f"with 1x1 reductions: {count_parameters(with_reductions):,} parameters, output channels {64 + 128 + 32 + 32}")
    naive = [(192, 64, 1), (192, 128, 3), (192, 32, 5)]
    naive_params = sum(conv2d_parameter_count(i, o, k) for i, o, k in naive)
    naive_macs = sum(conv2d_macs(i, o, k, 28) for i, o, k in naive)
    reduced = [(192, 64, 1), (192, 96, 1), (96, 128, 3), (192, 16, 1), (16, 32, 5), (192, 32, 1)]
    reduced_macs = sum(conv2d_macs(i, o, k, 28) for i, o, k in reduced)
    print(f"without:             {naive_params:,} parameters, output channels {64 + 128 + 32 + 192}")
    print(f"MACs per image: {reduced_macs / 1e6:.0f} M with reductions, {naive_macs / 1e6:.0f} M without")
except NotImplementedError:
    print("implement InceptionModule and the counting functions first")

# %% [markdown]
# The reductions cut the parameters and MACs by more than half *and* keep the output at 256 channels
# instead of 416. Without them, every following module would see more channels than the last: the cost
# would grow module after module. (Inception v2 then added batch norm; v4 added residual connections,
# which the paper says mostly sped up training.)
#
# ## 6. Factorising a 7x7 convolution
#
# Inception v3 replaces an n x n convolution by a 1 x n followed by an n x 1. Two stacked layers still
# see an n x n window (the receptive field of the pair is 7x7), and there is an extra non-linearity in
# between, but the weights drop from $49\,C_{in}C_{out}$ to $7\,(C_{in}C_{mid} + C_{mid}C_{out})$.
# Padding must follow the kernel: the (1, 7) kernel pads the width, `padding=(0, 3)`; the (7, 1) kernel
# pads the height, `padding=(3, 0)`. Then the output has the input's size, like a 7x7 with padding 3.

# %%
# include: Factorized7x7

# %%
grader.check("factorized")

# %%
try:
    c = 192
    print(f"7x7, {c} -> {c}:        {conv2d_parameter_count(c, c, 7):,} parameters")
    print(f"1x7 then 7x1 via {c}:  {count_parameters(Factorized7x7(c, c, c)):,} parameters")
    # The receptive field, measured: which input pixels does one output pixel depend on?
    block = Factorized7x7(1, 1, 1)
    with torch.no_grad():
        for conv in (block.conv1x7, block.conv7x1):
            conv.weight.uniform_(0.1, 1.0)  # positive weights and inputs: no ReLU is ever off
            conv.bias.fill_(0.1)
    x = torch.rand(1, 1, 15, 15, requires_grad=True)
    block(x)[0, 0, 7, 7].backward()
    rows, cols = torch.nonzero(x.grad[0, 0], as_tuple=True)
    print("output (7, 7) depends on input rows", rows.min().item(), "to", rows.max().item(), "and columns", cols.min().item(), "to", cols.max().item())
except NotImplementedError:
    print("implement Factorized7x7 first")

# %% [markdown]
# ## 7. DenseNet: concatenate instead of add
#
# A dense block feeds each layer the **concatenation** of the block input and every earlier layer's
# output; each layer adds only `growth_rate` (k) new channels. Features are reused instead of relearned,
# so DenseNets need few parameters per layer, and every layer has a short path to the loss (the notes:
# "wider DenseBlocks, like Inception's horizontal structure, with far fewer parameters"). DenseNet-BC
# adds a bottleneck (BN-ReLU-1x1 to `bn_size * k` channels before the BN-ReLU-3x3) and compression
# between blocks.
#
# Each layer `denselayer{i}` is `norm1, ReLU, conv1 (1x1), norm2, ReLU, conv2 (3x3)`, pre-activated like
# ResNet v2; layer `i` sees `in_channels + (i - 1) * k` channels and the block returns all of them,
# `in_channels + L * k` channels, input first.

# %%
# include: DenseBlock

# %%
grader.check("dense_block")

# %% [markdown]
# ### What dense connectivity costs: memory
#
# Every layer adds only `k` channels, but it needs the concatenation of everything before it as one
# tensor. The straightforward implementation builds a new concatenation for every layer, and autograd
# keeps each of them (and the batch norm and ReLU outputs of the same size) for the backward pass. Layer
# `i`'s input has `k0 + (i - 1) k` channels, so what is stored grows **quadratically** with the number of
# layers, while the block's output, the part that has to exist anyway, grows only linearly. Measure it
# with a saved-tensors hook, which sees every tensor autograd stores for the backward pass:

# %%
def saved_megabytes(module, x):
    """Megabytes of tensors autograd saves for the backward pass of module(x) (shared storages once)."""
    seen = {}

    def pack(tensor):
        seen[tensor.untyped_storage().data_ptr()] = tensor.untyped_storage().nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        out = module(x)
    return sum(seen.values()) / 2**20, out.numel() * out.element_size() / 2**20


try:
    x = torch.randn(8, 64, 16, 16, requires_grad=True)
    print(f"{'layers':>6} {'parameters':>11} {'output (MB)':>12} {'saved for backward (MB)':>24} {'saved / output':>15}")
    for layers in (2, 4, 8, 16):
        block = DenseBlock(64, 32, layers)
        saved, output = saved_megabytes(block, x)
        print(f"{layers:6d} {count_parameters(block):11,d} {output:12.1f} {saved:24.1f} {saved / output:15.1f}")
except NotImplementedError:
    print("implement DenseBlock first")

# %% [markdown]
# The memory kept for the backward pass, counted in multiples of the block's output, keeps growing with
# the number of layers: the total is quadratic in depth, where a ResNet stage's is linear. (The parameters grow faster than linearly too, since each layer's 1x1 convolution
# sees more channels, but the 1x1 bottleneck caps what the 3x3 sees at `bn_size * k` channels, which keeps
# them modest: that is the "fewer parameters" the notes credit DenseNet with.) Activation memory, not the
# parameter count, is what limits DenseNets in practice; the memory-efficient implementation recomputes
# the concatenations and the first batch norm during the backward pass (gradient checkpointing) instead
# of storing them.
#
# ## 8. MobileNet: depthwise separable convolutions
#
# A standard 3x3 convolution filters space and mixes channels in one step. MobileNet splits it: a
# **depthwise** 3x3 convolution filters each channel on its own (`groups = in_channels`), then a
# **pointwise** 1x1 convolution mixes channels. Each is followed by batch norm and ReLU. The MACs go from
# $C_{out} C_{in} 9\, HW$ to $C_{in} 9\, HW + C_{in} C_{out} HW$: a ratio of $\frac{1}{C_{out}} + \frac{1}{9}$,
# about 8 to 9 times fewer for the usual widths.

# %%
# include: DepthwiseSeparableConv

# %%
grader.check("depthwise_separable")

# %% [markdown]
# ### MACs against time
#
# Time the two on this machine's CPU, at a MobileNet-like width, and compare the speed-up with the MAC
# ratio. (Run it a few times; timings on a shared machine are noisy.)

# %%
def best_time(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


try:
    channels, size = 128, 28
    x = torch.randn(8, channels, size, size)
    full = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
    depthwise = nn.Conv2d(channels, channels, 3, padding=1, groups=channels, bias=False)
    pointwise = nn.Conv2d(channels, channels, 1, bias=False)
    with torch.no_grad():
        t_full = best_time(lambda: full(x))
        t_dw = best_time(lambda: depthwise(x))
        t_pw = best_time(lambda: pointwise(x))
    macs_full = conv2d_macs(channels, channels, 3, size)
    macs_dw = conv2d_macs(channels, channels, 3, size, groups=channels)
    macs_pw = conv2d_macs(channels, channels, 1, size)
    print(f"MAC ratio full / separable:  {macs_full / (macs_dw + macs_pw):.1f}x")
    print(f"time ratio full / separable: {t_full / (t_dw + t_pw):.1f}x   (depthwise {t_dw * 1e3:.2f} ms for "
          f"{macs_dw / macs_pw:.0%} of the pointwise MACs, pointwise {t_pw * 1e3:.2f} ms)")
except NotImplementedError:
    print("implement conv2d_macs first")

# %% [markdown]
# Look at the depthwise part: a few percent of the MACs, yet a large share of the time. The reason is
# **arithmetic intensity**: the MACs done per byte moved to and from memory. A 1x1 or a full 3x3
# convolution is a big matrix multiply: every input value is reused by `C_out` filters, so there are tens
# to hundreds of MACs per byte and the arithmetic units are the bottleneck (compute-bound). A depthwise
# 3x3 touches each input value for just 9 MACs, with one output channel per input channel: it reads and
# writes as many bytes as the full convolution while doing about a hundredth of the work. It is
# **memory-bound**, waiting on memory bandwidth, and a GPU's advantage over a CPU is arithmetic far more
# than bandwidth. On top of that, grouped convolutions do not map to the GEMM / tensor-core kernels GPUs
# are tuned for, and the separable block launches twice as many kernels (convolution, BN, ReLU twice),
# each with its own trip through memory.
#
# The notes put it this way: "on a GPU MobileNet does not reach the GPU's compute ceiling, memory
# bandwidth becomes the bottleneck; on a CPU it can reach the ceiling, which is why MobileNet has an
# advantage on CPUs: the separable design trades more layers for a higher cache hit rate." Whether a CPU
# shows that advantage depends on the kernels: libraries written for mobile CPUs (XNNPACK, TFLite) have
# tuned depthwise kernels, while PyTorch's generic CPU path may leave the separable block barely faster
# than the full convolution, as your timing may show.
#
# Compute the intensity of the three convolutions (float32, 4 bytes per value; input, weights and output
# each moved once):

# %%
try:
    for name, macs, c_in, c_out, weights in [
        ("full 3x3", macs_full, channels, channels, conv2d_parameter_count(channels, channels, 3, bias=False)),
        ("depthwise 3x3", macs_dw, channels, channels, conv2d_parameter_count(channels, channels, 3, groups=channels, bias=False)),
        ("pointwise 1x1", macs_pw, channels, channels, conv2d_parameter_count(channels, channels, 1, bias=False)),
    ]:
        moved = 4 * (c_in * size * size + c_out * size * size + weights)
        print(f"{name:<14} {macs / moved:7.1f} MACs per byte")
except NameError:
    print("run the timing cell first")

# %% [markdown]
# A modern GPU needs on the order of 50-100 MACs per byte of memory traffic to keep its arithmetic units
# busy; the depthwise convolution offers about one. So on a GPU the separable block is much less than
# 8x faster than the full convolution, sometimes no faster at all, although it does a ninth of the work.
#
# **Question** (graded in the concepts assignment): why do depthwise separable convolutions save MACs
# but run slower than their MAC count suggests on a GPU?
#
# ## Done
#
# Run all the checks, then submit `architectures.py` or this notebook.

# %%
grader.check_all()
