"""Harness-side oracles shared by the hidden tests (torch, float64) and speed references."""

import types

import numpy as np
import pytest
import torch
import torch.nn.functional as F


def _t(a, grad=False):
    return torch.tensor(np.array(a, dtype=np.float64, copy=True), requires_grad=grad)


def _np(t):
    return t.detach().numpy().copy()


def conv2d(x, w, b, stride=1, pad=0, groups=1, dout=None):
    """torch conv2d in float64 -> out, or (out, (dx, dw, db)) when dout is given."""
    xt, wt, bt = _t(x, True), _t(w, True), _t(b, True)
    out = F.conv2d(xt, wt, bt, stride=stride, padding=pad, groups=groups)
    if dout is None:
        return _np(out)
    out.backward(_t(dout))
    return _np(out), (_np(xt.grad), _np(wt.grad), _np(bt.grad))


def conv_transpose2d(x, w, b, stride=1, pad=0, dout=None):
    xt, wt, bt = _t(x, True), _t(w, True), _t(b, True)
    out = F.conv_transpose2d(xt, wt, bt, stride=stride, padding=pad)
    if dout is None:
        return _np(out)
    out.backward(_t(dout))
    return _np(out), (_np(xt.grad), _np(wt.grad), _np(bt.grad))


def pool2d(kind, x, ph, pw, stride, dout=None):
    xt = _t(x, True)
    fn = F.max_pool2d if kind == "max" else F.avg_pool2d
    out = fn(xt, (ph, pw), stride=stride)
    if dout is None:
        return _np(out)
    out.backward(_t(dout))
    return _np(out), _np(xt.grad)


def unfold(x, kh, kw, stride=1, pad=0):
    return _np(F.unfold(_t(x), (kh, kw), stride=stride, padding=pad))


def fold(cols, x_shape, kh, kw, stride=1, pad=0):
    return _np(F.fold(_t(cols), tuple(x_shape[2:]), (kh, kw), stride=stride, padding=pad))


def out_size(size, kernel, stride=1, pad=0, dilation=1):
    """The formula of the torch.nn.Conv2d documentation."""
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


def pair(v):
    return (v, v) if np.ndim(v) == 0 else tuple(v)


# ----------------------------------------------------------------- speed references (harness side)


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


ORACLES = types.SimpleNamespace(
    conv2d=conv2d,
    conv_transpose2d=conv_transpose2d,
    pool2d=pool2d,
    unfold=unfold,
    fold=fold,
    out_size=out_size,
    pair=pair,
    im2col_reference=im2col_reference,
    col2im_reference=col2im_reference,
    im2col_fancy_reference=im2col_fancy_reference,
    col2im_fancy_reference=col2im_fancy_reference,
    pixel_loop_limit=pixel_loop_limit,
    conv_reference=conv_reference,
)


@pytest.fixture
def ref():
    """Harness-side oracles (torch, float64) and vectorised speed references."""
    return ORACLES
