"""Helpers of the hidden convolution tests: torch oracles, the stated max-pooling rule, speed references,
and the wrong answers that hints name.

Everything here runs in the trusted harness. Oracles are float64 torch computations
(``@oracle``: computed once per input within a batch). Images are ``(N, C, H, W)``;
``stride`` and ``pad`` are ints or ``(h, w)`` pairs, as in API.md.
"""

import numpy as np

from autograder.testing import oracle
from autograder.testing.lazy_torch import F
from autograder.testing.torch_oracles import torch_forward_backward


def pair(v):
    """An int or an (h, w) pair -> (h, w)."""
    return (v, v) if np.ndim(v) == 0 else tuple(v)


def out_size(size, kernel, stride=1, pad=0, dilation=1):
    """The formula of the torch.nn.Conv2d documentation."""
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


# --------------------------------------------------------------------------- oracles (torch, float64)


@oracle
def conv2d(x, w, b, stride, pad, groups, dout=None):
    """``(out, (dx, dw, db))`` of torch conv2d; x (N, C, H, W), w (F, C // groups, kh, kw), b (F,)."""
    return torch_forward_backward(lambda xt, wt, bt: F.conv2d(xt, wt, bt, stride=stride, padding=pad, groups=groups),
                                  (x, w, b), dout)


@oracle
def conv_transpose2d(x, w, b, stride, pad, dout=None):
    """``(out, (dx, dw, db))`` of torch conv_transpose2d; w (C_in, F, kh, kw)."""
    return torch_forward_backward(lambda xt, wt, bt: F.conv_transpose2d(xt, wt, bt, stride=stride, padding=pad), (x, w, b), dout)


@oracle
def pool2d(kind, x, ph, pw, stride, dout=None):
    """``(out, (dx,))`` of torch max_pool2d (kind "max") or avg_pool2d (kind "avg"), no padding."""
    pool = F.max_pool2d if kind == "max" else F.avg_pool2d
    return torch_forward_backward(lambda xt: pool(xt, (ph, pw), stride=stride), (x,), dout)


@oracle
def unfold(x, kh, kw, stride, pad):
    """torch unfold: (N, C*kh*kw, L)."""
    out, _ = torch_forward_backward(lambda xt: F.unfold(xt, (kh, kw), stride=stride, padding=pad), (x,))
    return out


@oracle
def fold(cols, x_shape, kh, kw, stride, pad):
    """torch fold (the scatter-add adjoint of unfold): (N, C, H, W)."""
    out, _ = torch_forward_backward(lambda ct: F.fold(ct, tuple(x_shape[2:]), (kh, kw), stride=stride, padding=pad), (cols,))
    return out


def windows(x_shape, ph, pw, stride):
    """(i, j, row slice, column slice) of every pooling window (no padding, floor mode)."""
    H, W = x_shape[2:]
    for i in range((H - ph) // stride + 1):
        for j in range((W - pw) // stride + 1):
            yield i, j, slice(i * stride, i * stride + ph), slice(j * stride, j * stride + pw)


@oracle
def max_pool_routed_gradient(x, dout, ph, pw, stride, rule="first"):
    """dx of max pooling by API.md's rule, computed window by window (small inputs only).

    rule: "first"  each window's gradient goes to its first maximum in row-major window order (API.md);
          "last"   to its last maximum; "column"  to its first maximum in column-major order;
          "all"    to every tied maximum; "overwrite"  as "first", but each window assigns its whole
                   (ph, pw) block of dx instead of adding to it, so where windows overlap the last one wins.
    """
    dx = np.zeros(x.shape, dtype=np.float64)
    N, C = x.shape[:2]
    for i, j, rows, cols in windows(x.shape, ph, pw, stride):
        window = np.asarray(x[:, :, rows, cols], dtype=np.float64)
        order = window.transpose(0, 1, 3, 2) if rule == "column" else window
        flat = order.reshape(N, C, -1)
        if rule == "all":
            mask = flat == flat.max(axis=2, keepdims=True)
        else:
            index = flat.shape[2] - 1 - flat[:, :, ::-1].argmax(axis=2) if rule == "last" else flat.argmax(axis=2)
            mask = np.arange(flat.shape[2]) == index[..., None]
        mask = mask.reshape(order.shape)
        if rule == "column":
            mask = mask.transpose(0, 1, 3, 2)
        contribution = mask * np.asarray(dout, dtype=np.float64)[:, :, i, j][:, :, None, None]
        if rule == "overwrite":
            dx[:, :, rows, cols] = contribution
        else:
            dx[:, :, rows, cols] += contribution
    return dx


# --------------------------------------------------------------------------- wrong answers that hints name


def kernel_major(cols, C, kh, kw):
    """The (kh, kw, C) row order some students produce instead of torch's (C, kh, kw)."""
    N, _, L = cols.shape
    return cols.reshape(N, C, kh, kw, L).transpose(0, 2, 3, 1, 4).reshape(N, C * kh * kw, L)


def col2im_overwrite(cols, x_shape, kh, kw, stride, pad):
    """col2im with '=' instead of '+=', kernel offsets in row-major order: where windows overlap the last wins."""
    N, C, H, W = x_shape
    (sh, sw), (ph, pw) = pair(stride), pair(pad)
    oh, ow = out_size(H, kh, sh, ph), out_size(W, kw, sw, pw)
    cols = np.asarray(cols, dtype=np.float64).reshape(N, C, kh, kw, oh, ow)
    x_pad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for u in range(kh):
        for v in range(kw):
            x_pad[:, :, u:u + sh * oh:sh, v:v + sw * ow:sw] = cols[:, :, u, v]
    return x_pad[:, :, ph:ph + H, pw:pw + W]


def negative_crop(x_shape, pad):
    """What cropping a padded (N, C, H + 2p, W + 2p) array with ``[p:-p]`` returns when a pad is 0: an empty
    axis (``a[0:-0]`` is ``a[0:0]``). None when both pads are positive (the crop is then right)."""
    ph, pw = pair(pad)
    if ph and pw:
        return None
    N, C, H, W = x_shape
    return np.zeros((N, C, H if ph else 0, W if pw else 0))


def interleaved_channels(C, groups):
    """The channel order of a submission that puts channel c in group c % groups (a permutation of range(C))."""
    return np.arange(C).reshape(C // groups, groups).T.reshape(-1)


# --------------------------------------------------------------------------- speed references (timed in the harness)


def im2col_reference(x, kh, kw, stride=1, pad=0):
    """Vectorised im2col: one strided copy per kernel offset."""
    N, C, H, W = x.shape
    sh, sw = pair(stride)
    ph, pw = pair(pad)
    oh = out_size(H, kh, sh, ph)
    ow = out_size(W, kw, sw, pw)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.empty((N, C, kh, kw, oh, ow), dtype=x.dtype)
    for u in range(kh):
        for v in range(kw):
            cols[:, :, u, v] = xp[:, :, u:u + sh * oh:sh, v:v + sw * ow:sw]
    return cols.reshape(N, C * kh * kw, oh * ow)


def col2im_reference(cols, x_shape, kh, kw, stride=1, pad=0):
    N, C, H, W = x_shape
    sh, sw = pair(stride)
    ph, pw = pair(pad)
    oh = out_size(H, kh, sh, ph)
    ow = out_size(W, kw, sw, pw)
    cols = cols.reshape(N, C, kh, kw, oh, ow)
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    for u in range(kh):
        for v in range(kw):
            xp[:, :, u:u + sh * oh:sh, v:v + sw * ow:sw] += cols[:, :, u, v]
    return xp[:, :, ph:ph + H, pw:pw + W]


def _fancy_indices(C, H, W, kh, kw, sh, sw, ph, pw):
    """CS231n index arrays (k, i, j) into the padded image: rows (c, u, v), columns (i, j) row-major."""
    oh = out_size(H, kh, sh, ph)
    ow = out_size(W, kw, sw, pw)
    i = (np.tile(np.repeat(np.arange(kh), kw), C)[:, None] + sh * np.repeat(np.arange(oh), ow)[None, :])
    j = (np.tile(np.arange(kw), kh * C)[:, None] + sw * np.tile(np.arange(ow), oh)[None, :])
    k = np.repeat(np.arange(C), kh * kw)[:, None]
    return k, i, j


def im2col_fancy_reference(x, kh, kw, stride=1, pad=0):
    """Vectorised im2col by fancy indexing with precomputed index arrays (CS231n ``im2col_indices``)."""
    N, C, H, W = x.shape
    sh, sw = pair(stride)
    ph, pw = pair(pad)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    k, i, j = _fancy_indices(C, H, W, kh, kw, sh, sw, ph, pw)
    return xp[:, k, i, j]


def col2im_fancy_reference(cols, x_shape, kh, kw, stride=1, pad=0):
    """Vectorised col2im by ``np.add.at`` with the same index arrays (CS231n ``col2im_indices``)."""
    N, C, H, W = x_shape
    sh, sw = pair(stride)
    ph, pw = pair(pad)
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    k, i, j = _fancy_indices(C, H, W, kh, kw, sh, sw, ph, pw)
    np.add.at(xp, (slice(None), k, i, j), cols)
    return xp[:, :, ph:ph + H, pw:pw + W]


def pixel_loop_limit(slices_seconds, fancy_seconds):
    """Time limit of the im2col/col2im speed tests: generous to every vectorised style (one strided slice
    per kernel offset, or fancy indexing / ``np.add.at``, which is ~50x slower than slices but still
    ~20x faster than a Python loop over pixels), timed now so that the machine's load scales it."""
    return 10 * slices_seconds + 3 * fancy_seconds + 0.060


def conv_reference(x, w, b, stride=1, pad=0):
    """im2col + einsum convolution (groups = 1)."""
    N, C, H, W = x.shape
    Fo, _, kh, kw = w.shape
    sh, sw = pair(stride)
    ph, pw = pair(pad)
    cols = im2col_reference(x, kh, kw, stride, pad)
    out = np.einsum("fk,nkl->nfl", w.reshape(Fo, -1), cols, optimize=True)
    return out.reshape(N, Fo, out_size(H, kh, sh, ph), out_size(W, kw, sw, pw)) + b[None, :, None, None]
