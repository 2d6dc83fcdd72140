"""Convolutional building blocks in NumPy: im2col, convolution, pooling, transposed convolution.

Conventions (CS231n layout):

- Images are ``(N, C, H, W)``: batch, channels, height, width.
- A layer is a pair ``*_forward(...) -> (out, cache)`` / ``*_backward(dout, cache) -> grads``.
  ``cache`` is whatever you need in the backward pass.
- ``conv_param`` is a dict with optional keys ``stride`` (default 1), ``pad`` (default 0)
  and ``groups`` (default 1). ``stride`` and ``pad`` are ints or ``(h, w)`` pairs;
  ``pad`` adds zeros on *both* sides of each spatial axis.
- "Convolution" means cross-correlation, as in every deep-learning library:
  ``out[n, f, i, j] = b[f] + sum_{c, u, v} x_pad[n, c, i*s_h + u, j*s_w + v] * w[f, c, u, v]``.
- float32 inputs must work too (returning float32 or float64 is fine).

Only NumPy is allowed here (no torch).
"""

import numpy as np


def _pair(value):
    """An int or an ``(h, w)`` pair -> ``(h, w)`` tuple of ints.

    >>> _pair(2), _pair((1, 3))
    ((2, 2), (1, 3))
    """
    if np.ndim(value) == 0:
        return int(value), int(value)
    h, w = value
    return int(h), int(w)


# --------------------------------------------------------------------------- sizes


def conv_output_size(size, kernel, stride=1, pad=0, dilation=1):
    """Length of the output of a convolution (or pooling) along one spatial axis.

    Inputs (all ints):
    - size: input length (H or W), before padding.
    - kernel: kernel length (kh or kw).
    - stride: step between neighbouring windows.
    - pad: zeros added on *each* side.
    - dilation: spacing between kernel taps (1 = a dense kernel); a dilated kernel
      spans ``dilation * (kernel - 1) + 1`` input positions.

    Returns: int, the number of complete windows, ``floor((size + 2*pad - span) / stride) + 1``.
    """
    raise NotImplementedError("output_size: implement conv_output_size")


def receptive_field(layers):
    """Receptive field of one output unit of the last layer of a stack of layers.

    Inputs:
    - layers: list of ``(kernel, stride)`` or ``(kernel, stride, dilation)`` tuples of ints,
      ordered from the input to the output (pooling layers count as layers too).

    Returns: int, how many input positions (along one axis) one unit of the last layer sees.

    Recurrence: with ``jump`` = distance in input pixels between neighbouring units of the
    current layer (1 at the input), each layer adds ``(span - 1) * jump`` to the receptive
    field, where ``span = dilation * (kernel - 1) + 1``, and then multiplies ``jump`` by its stride.
    """
    raise NotImplementedError("receptive_field: implement receptive_field")


# --------------------------------------------------------------------------- im2col


def im2col(x, kh, kw, stride=1, pad=0):
    """Unfold every (kh, kw) window of a zero-padded batch of images into a column.

    Inputs:
    - x: (N, C, H, W)
    - kh, kw: window height and width (ints)
    - stride, pad: ints or (h, w) pairs

    Returns: cols of shape (N, C*kh*kw, L) with L = out_h * out_w, where
    ``cols[n, (c*kh + u)*kw + v, i*out_w + j] = x_pad[n, c, i*s_h + u, j*s_w + v]``
    (channel-major rows, windows in row-major order: what ``torch.nn.functional.unfold`` returns).

    No Python loop over N, H or W (a loop over the kh*kw kernel offsets is fine).
    """
    raise NotImplementedError("im2col: implement im2col")


def col2im(cols, x_shape, kh, kw, stride=1, pad=0):
    """Fold columns back into images, *adding* the values of overlapping windows.

    The adjoint of :func:`im2col` (``torch.nn.functional.fold``): every entry of ``cols``
    is added to the input position it was copied from; contributions that land in the
    padding are dropped.

    Inputs:
    - cols: (N, C*kh*kw, L), laid out as :func:`im2col` returns it
    - x_shape: (N, C, H, W), the shape of the (unpadded) images
    - kh, kw: window height and width (ints)
    - stride, pad: ints or (h, w) pairs

    Returns: x of shape (N, C, H, W).

    No Python loop over N, H or W (a loop over the kh*kw kernel offsets is fine).
    """
    raise NotImplementedError("col2im: implement col2im")


# --------------------------------------------------------------------------- convolution


def conv_forward(x, w, b, conv_param):
    """Convolution layer forward pass (``torch.nn.functional.conv2d``), built on im2col.

    Inputs:
    - x: (N, C, H, W)
    - w: (F, C // groups, kh, kw); filter f sees only the channels of its group
      (channels and filters are split into ``groups`` consecutive blocks; ``groups == C``
      is a depthwise convolution)
    - b: (F,)
    - conv_param: dict with optional ``stride`` (1), ``pad`` (0), ``groups`` (1)

    Returns (out, cache):
    - out: (N, F, out_h, out_w), out_h = conv_output_size(H, kh, stride_h, pad_h)
    - cache: anything conv_backward needs
    """
    raise NotImplementedError("conv_forward: implement conv_forward")


def conv_backward(dout, cache):
    """Convolution layer backward pass.

    Inputs:
    - dout: (N, F, out_h, out_w), upstream gradient
    - cache: from conv_forward

    Returns (dx, dw, db) with the shapes of x (N, C, H, W), w (F, C // groups, kh, kw), b (F,).
    """
    raise NotImplementedError("conv_backward: implement conv_backward")


# --------------------------------------------------------------------------- pooling


def max_pool_forward(x, pool_param):
    """Max pooling forward pass (``torch.nn.functional.max_pool2d``, no padding).

    Inputs:
    - x: (N, C, H, W)
    - pool_param: dict with ``pool_height``, ``pool_width`` and ``stride`` (all required, ints);
      windows may overlap (stride < pool size) and need not tile the input exactly
      (leftover rows/columns are ignored).

    Returns (out, cache):
    - out: (N, C, out_h, out_w), out_h = conv_output_size(H, pool_height, stride)
    - cache: anything max_pool_backward needs
    """
    raise NotImplementedError("max_pool: implement max_pool_forward")


def max_pool_backward(dout, cache):
    """Max pooling backward pass.

    Each window sends its upstream gradient to the position of its maximum (the first
    maximum in row-major window order when several entries tie); overlapping windows add up.

    Inputs:
    - dout: (N, C, out_h, out_w)
    - cache: from max_pool_forward

    Returns dx: (N, C, H, W).
    """
    raise NotImplementedError("max_pool: implement max_pool_backward")


def avg_pool_forward(x, pool_param):
    """Average pooling forward pass (``torch.nn.functional.avg_pool2d``, no padding).

    Inputs:
    - x: (N, C, H, W)
    - pool_param: dict with ``pool_height``, ``pool_width`` and ``stride`` (all required, ints)

    Returns (out, cache):
    - out: (N, C, out_h, out_w), the mean of each window
    - cache: anything avg_pool_backward needs
    """
    raise NotImplementedError("avg_pool: implement avg_pool_forward")


def avg_pool_backward(dout, cache):
    """Average pooling backward pass: each window spreads its gradient evenly over its
    ``pool_height * pool_width`` inputs; overlapping windows add up.

    Inputs:
    - dout: (N, C, out_h, out_w)
    - cache: from avg_pool_forward

    Returns dx: (N, C, H, W).
    """
    raise NotImplementedError("avg_pool: implement avg_pool_backward")


# --------------------------------------------------------------------------- transposed convolution


def conv_transpose_forward(x, w, b, conv_param):
    """Transposed convolution forward pass (``torch.nn.functional.conv_transpose2d``).

    The transpose of conv_forward with respect to its input: every input pixel scatters a
    copy of the kernel, scaled by its value, into the output (col2im of ``w^T x``); then
    ``pad`` rows/columns are cropped from each side.

    Inputs:
    - x: (N, C_in, H, W)
    - w: (C_in, F, kh, kw)   (note: input channels first, as in torch)
    - b: (F,)
    - conv_param: dict with optional ``stride`` (1) and ``pad`` (0), ints or (h, w) pairs

    Returns (out, cache):
    - out: (N, F, H_out, W_out), H_out = (H - 1) * stride_h - 2 * pad_h + kh
    - cache: anything conv_transpose_backward needs
    """
    raise NotImplementedError("conv_transpose: implement conv_transpose_forward")


def conv_transpose_backward(dout, cache):
    """Transposed convolution backward pass.

    Inputs:
    - dout: (N, F, H_out, W_out)
    - cache: from conv_transpose_forward

    Returns (dx, dw, db) with the shapes of x (N, C_in, H, W), w (C_in, F, kh, kw), b (F,).
    """
    raise NotImplementedError("conv_transpose: implement conv_transpose_backward")
