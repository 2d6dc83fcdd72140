"""Classic CNN building blocks as PyTorch modules: ResNet, ResNeXt, ResNet v2, Inception, DenseNet, MobileNet.

Conventions:

- Images are ``(N, C, H, W)`` tensors: batch, channels, height, width.
- Submodule names are part of the contract (they are the keys of ``state_dict()``):
  the grader loads its own weights with ``load_state_dict(sd, strict=True)``, so a
  missing, extra or misnamed layer fails every test of that class. Where torchvision
  has the block, the names are torchvision's, so its trained weights load too.
- Every convolution has ``bias=False`` (a batch norm follows it and would cancel the
  bias) except those of ``InceptionModule`` and ``Factorized7x7`` (no batch norm there).
- Batch norm uses torch's defaults: ``nn.BatchNorm2d(channels)`` (eps 1e-5, momentum 0.1).
- Modules must work on any device and dtype: the grader moves them with
  ``module.to(device, dtype)``. Do not make tensors inside ``forward`` without
  ``device=x.device, dtype=x.dtype`` (or use ``torch.zeros_like(x)`` and friends).
- ``forward`` must not modify its input in place, and must return a tensor of the
  input's dtype, on the input's device.

Allowed imports: torch and numpy (no torchvision).
"""

from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F


# --------------------------------------------------------------------------- ResNet


class BasicBlock(nn.Module):
    """ResNet v1 basic block (ResNet-18/34): two 3x3 convolutions and a shortcut.

    ``out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``

    Submodules (these names exactly):
    - ``conv1``: 3x3, ``in_channels -> out_channels``, stride ``stride``, padding 1, no bias
    - ``bn1``: ``BatchNorm2d(out_channels)``
    - ``relu``: ``nn.ReLU()`` (no parameters; use it or ``F.relu``)
    - ``conv2``: 3x3, ``out_channels -> out_channels``, stride 1, padding 1, no bias
    - ``bn2``: ``BatchNorm2d(out_channels)``
    - ``downsample``: ``None`` when ``stride == 1`` and ``in_channels == out_channels``
      (the shortcut is the identity), else ``nn.Sequential(Conv2d 1x1 stride ``stride``
      no bias, BatchNorm2d(out_channels))``, applied to ``x``.

    Shapes: x (N, in_channels, H, W) -> (N, out_channels, H', W'), with
    ``H' = (H - 1) // stride + 1`` (the same for W).
    """

    expansion = 1

    def __init__(self, in_channels, out_channels, stride=1):
        # BEGIN SOLUTION
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )
        # END SOLUTION

    def forward(self, x):
        """x: (N, in_channels, H, W) -> (N, out_channels, H', W')."""
        # BEGIN SOLUTION
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)
        # END SOLUTION


class Bottleneck(nn.Module):
    """ResNet bottleneck block, torchvision's version (ResNet v1.5: the stride sits on the 3x3).

    ``width = int(planes * base_width / 64) * groups``
    ``out = relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + shortcut(x))``

    Submodules:
    - ``conv1``: 1x1, ``in_channels -> width``, no bias; ``bn1``: BatchNorm2d(width)
    - ``conv2``: 3x3, ``width -> width``, stride ``stride``, padding 1, ``groups`` groups,
      no bias; ``bn2``: BatchNorm2d(width)
    - ``conv3``: 1x1, ``width -> planes * expansion``, no bias; ``bn3``: BatchNorm2d(planes * 4)
    - ``relu``: ``nn.ReLU()``
    - ``downsample``: ``None`` when ``stride == 1`` and ``in_channels == planes * 4``, else
      ``nn.Sequential(Conv2d 1x1 stride ``stride`` no bias, BatchNorm2d(planes * 4))``.

    ResNeXt is this block with ``groups > 1`` (the cardinality): ResNeXt-50 32x4d is
    ``groups=32, base_width=4``.

    Shapes: x (N, in_channels, H, W) -> (N, planes * 4, H', W'), ``H' = (H - 1) // stride + 1``.
    """

    expansion = 4

    def __init__(self, in_channels, planes, stride=1, groups=1, base_width=64):
        # BEGIN SOLUTION
        super().__init__()
        width = int(planes * (base_width / 64.0)) * groups
        out_channels = planes * self.expansion
        self.conv1 = nn.Conv2d(in_channels, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )
        # END SOLUTION

    def forward(self, x):
        """x: (N, in_channels, H, W) -> (N, planes * 4, H', W')."""
        # BEGIN SOLUTION
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)
        # END SOLUTION


class PreActBlock(nn.Module):
    """ResNet v2 basic block with pre-activation (He et al. 2016, "Identity mappings in deep residual networks").

    ``a = relu(bn1(x))``
    ``out = conv2(relu(bn2(conv1(a)))) + shortcut``, where ``shortcut`` is ``x`` for the
    identity and ``self.shortcut(a)`` otherwise. No ReLU after the sum: the identity path
    from input to output stays clean.

    Submodules:
    - ``bn1``: BatchNorm2d(in_channels)
    - ``conv1``: 3x3, ``in_channels -> out_channels``, stride ``stride``, padding 1, no bias
    - ``bn2``: BatchNorm2d(out_channels)
    - ``conv2``: 3x3, ``out_channels -> out_channels``, padding 1, no bias
    - ``shortcut``: ``None`` when ``stride == 1`` and ``in_channels == out_channels``,
      else a bare ``nn.Conv2d`` 1x1, stride ``stride``, no bias (key ``shortcut.weight``).

    Shapes: x (N, in_channels, H, W) -> (N, out_channels, H', W'), ``H' = (H - 1) // stride + 1``.
    """

    expansion = 1

    def __init__(self, in_channels, out_channels, stride=1):
        # BEGIN SOLUTION
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)
        self.shortcut = None
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)
        # END SOLUTION

    def forward(self, x):
        """x: (N, in_channels, H, W) -> (N, out_channels, H', W')."""
        # BEGIN SOLUTION
        pre = F.relu(self.bn1(x))
        shortcut = x if self.shortcut is None else self.shortcut(pre)
        out = self.conv1(pre)
        out = self.conv2(F.relu(self.bn2(out)))
        return out + shortcut
        # END SOLUTION


# --------------------------------------------------------------------------- Inception


class InceptionModule(nn.Module):
    """GoogLeNet (Inception v1) module, as in the paper: ReLU, no batch norm, convolutions with bias.

    Four branches on the same input, concatenated along the channels in this order:

    - ``branch1``: ``Sequential(Conv2d(in, ch1x1, 1), ReLU)``
    - ``branch2``: ``Sequential(Conv2d(in, ch3x3red, 1), ReLU, Conv2d(ch3x3red, ch3x3, 3, padding=1), ReLU)``
    - ``branch3``: ``Sequential(Conv2d(in, ch5x5red, 1), ReLU, Conv2d(ch5x5red, ch5x5, 5, padding=2), ReLU)``
    - ``branch4``: ``Sequential(MaxPool2d(3, stride=1, padding=1), Conv2d(in, pool_proj, 1), ReLU)``

    The 1x1 convolutions before the 3x3 and 5x5 ("reductions") shrink the channels
    the expensive convolutions see.

    Shapes: x (N, in_channels, H, W) -> (N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W).
    """

    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        # BEGIN SOLUTION
        super().__init__()
        self.branch1 = nn.Sequential(nn.Conv2d(in_channels, ch1x1, 1), nn.ReLU())
        self.branch2 = nn.Sequential(
            nn.Conv2d(in_channels, ch3x3red, 1), nn.ReLU(),
            nn.Conv2d(ch3x3red, ch3x3, 3, padding=1), nn.ReLU(),
        )
        self.branch3 = nn.Sequential(
            nn.Conv2d(in_channels, ch5x5red, 1), nn.ReLU(),
            nn.Conv2d(ch5x5red, ch5x5, 5, padding=2), nn.ReLU(),
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(3, stride=1, padding=1),
            nn.Conv2d(in_channels, pool_proj, 1), nn.ReLU(),
        )
        # END SOLUTION

    def forward(self, x):
        """x: (N, in_channels, H, W) -> (N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W)."""
        # BEGIN SOLUTION
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], dim=1)
        # END SOLUTION


class Factorized7x7(nn.Module):
    """Inception v3's factorisation of a 7x7 convolution into a 1x7 and a 7x1.

    ``out = relu(conv7x1(relu(conv1x7(x))))``

    Submodules (biases on):
    - ``conv1x7``: ``Conv2d(in_channels, mid_channels, kernel_size=(1, 7), padding=(0, 3))``
    - ``conv7x1``: ``Conv2d(mid_channels, out_channels, kernel_size=(7, 1), padding=(3, 0))``

    Same output size and receptive field (7x7) as one 7x7 convolution with padding 3,
    with ``7 * (in * mid + mid * out)`` weights instead of ``49 * in * out``.

    Shapes: x (N, in_channels, H, W) -> (N, out_channels, H, W).
    """

    def __init__(self, in_channels, mid_channels, out_channels):
        # BEGIN SOLUTION
        super().__init__()
        self.conv1x7 = nn.Conv2d(in_channels, mid_channels, kernel_size=(1, 7), padding=(0, 3))
        self.conv7x1 = nn.Conv2d(mid_channels, out_channels, kernel_size=(7, 1), padding=(3, 0))
        # END SOLUTION

    def forward(self, x):
        """x: (N, in_channels, H, W) -> (N, out_channels, H, W)."""
        # BEGIN SOLUTION
        return F.relu(self.conv7x1(F.relu(self.conv1x7(x))))
        # END SOLUTION


# --------------------------------------------------------------------------- DenseNet


class DenseBlock(nn.Module):
    """DenseNet-BC dense block: every layer sees the concatenation of all earlier feature maps.

    Children ``denselayer1`` ... ``denselayer{num_layers}`` (these names; e.g. keys
    ``denselayer1.norm1.weight``, ``denselayer2.conv2.weight``). Layer ``i`` (1-based) gets
    ``in_channels + (i - 1) * growth_rate`` channels: the block input followed by the
    outputs of layers 1 .. i-1, in that order. Each layer:
    ``norm1`` (BatchNorm2d), ReLU, ``conv1`` 1x1 -> ``bn_size * growth_rate`` (no bias),
    ``norm2``, ReLU, ``conv2`` 3x3 padding 1 -> ``growth_rate`` (no bias).

    Shapes: x (N, in_channels, H, W) -> (N, in_channels + num_layers * growth_rate, H, W):
    ``cat([x, out_1, ..., out_L], dim=1)``.
    """

    def __init__(self, in_channels, growth_rate, num_layers, bn_size=4):
        # BEGIN SOLUTION
        super().__init__()
        for i in range(num_layers):
            channels = in_channels + i * growth_rate
            layer = nn.Sequential(OrderedDict([
                ("norm1", nn.BatchNorm2d(channels)),
                ("relu1", nn.ReLU()),
                ("conv1", nn.Conv2d(channels, bn_size * growth_rate, 1, bias=False)),
                ("norm2", nn.BatchNorm2d(bn_size * growth_rate)),
                ("relu2", nn.ReLU()),
                ("conv2", nn.Conv2d(bn_size * growth_rate, growth_rate, 3, padding=1, bias=False)),
            ]))
            self.add_module(f"denselayer{i + 1}", layer)
        # END SOLUTION

    def forward(self, x):
        """x: (N, in_channels, H, W) -> (N, in_channels + num_layers * growth_rate, H, W)."""
        # BEGIN SOLUTION
        features = [x]
        for layer in self.children():
            features.append(layer(torch.cat(features, dim=1)))
        return torch.cat(features, dim=1)
        # END SOLUTION


# --------------------------------------------------------------------------- MobileNet


class DepthwiseSeparableConv(nn.Module):
    """MobileNet v1 depthwise separable convolution: a per-channel 3x3, then a 1x1 that mixes channels.

    ``out = relu(bn2(pointwise(relu(bn1(depthwise(x))))))``

    Submodules:
    - ``depthwise``: ``Conv2d(in_channels, in_channels, 3, stride=stride, padding=1,
      groups=in_channels, bias=False)``; ``bn1``: BatchNorm2d(in_channels)
    - ``pointwise``: ``Conv2d(in_channels, out_channels, 1, bias=False)``; ``bn2``: BatchNorm2d(out_channels)

    Shapes: x (N, in_channels, H, W) -> (N, out_channels, H', W'), ``H' = (H - 1) // stride + 1``.
    """

    def __init__(self, in_channels, out_channels, stride=1):
        # BEGIN SOLUTION
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, 3, stride=stride, padding=1, groups=in_channels, bias=False)
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        # END SOLUTION

    def forward(self, x):
        """x: (N, in_channels, H, W) -> (N, out_channels, H', W')."""
        # BEGIN SOLUTION
        out = F.relu(self.bn1(self.depthwise(x)))
        return F.relu(self.bn2(self.pointwise(out)))
        # END SOLUTION


# --------------------------------------------------------------------------- counting


def _pair(value):
    """An int or an ``(h, w)`` pair -> ``(h, w)`` tuple of ints."""
    if isinstance(value, (tuple, list)):
        h, w = value
        return int(h), int(w)
    return int(value), int(value)


def conv2d_parameter_count(in_channels, out_channels, kernel_size, groups=1, bias=True):
    """Number of parameters of ``nn.Conv2d(in_channels, out_channels, kernel_size, groups=groups, bias=bias)``.

    Inputs: ints; ``kernel_size`` an int or a ``(kh, kw)`` pair. ``groups`` divides both
    channel counts: each output channel sees ``in_channels / groups`` input channels.
    Returns: int, computed from the formula (do not build the module).
    """
    # BEGIN SOLUTION
    kh, kw = _pair(kernel_size)
    return out_channels * (in_channels // groups) * kh * kw + (out_channels if bias else 0)
    # END SOLUTION


def conv2d_macs(in_channels, out_channels, kernel_size, output_size, groups=1):
    """Multiply-accumulates of one forward pass of that convolution, for one image.

    Inputs: ints; ``kernel_size`` and ``output_size`` ints or ``(h, w)`` pairs.
    Every output value (``out_channels * oh * ow`` of them) is a dot product of length
    ``(in_channels / groups) * kh * kw``. Bias additions are not counted.
    Returns: int.
    """
    # BEGIN SOLUTION
    kh, kw = _pair(kernel_size)
    oh, ow = _pair(output_size)
    return out_channels * (in_channels // groups) * kh * kw * oh * ow
    # END SOLUTION


def count_parameters(module):
    """Number of trainable parameters of ``module``: elements of every parameter with ``requires_grad``.

    Each distinct parameter counts once, as ``module.parameters()`` yields them: a
    weight shared by two layers (tied weights) is one parameter. Frozen parameters
    (``requires_grad=False``) and buffers (running statistics) do not count.
    Returns: int.
    """
    # BEGIN SOLUTION
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
    # END SOLUTION
