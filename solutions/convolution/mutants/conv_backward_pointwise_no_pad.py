# task: conv_backward
# A 1x1 (pointwise) fast path for dx that forgets the padding: output pixel (i, j) is sent back to input
# (i*s_h, j*s_w) instead of (i*s_h - pad_h, j*s_w - pad_w) (right for 1x1 kernels without padding).
_reference_conv_backward = conv_backward


def conv_backward(dout, cache):
    x_shape, w, cols_g, stride, pad, groups = cache
    dx, dw, db = _reference_conv_backward(dout, cache)
    if w.shape[2:] != (1, 1) or groups != 1:
        return dx, dw, db
    N, C, H, W = x_shape
    sh, sw = _pair(stride)
    rows, cols = len(range(0, H, sh)), len(range(0, W, sw))
    dx = np.zeros(x_shape, dtype=dout.dtype)
    dx[:, :, ::sh, ::sw] = np.einsum("fc,nfhw->nchw", w[:, :, 0, 0], dout[:, :, :rows, :cols])
    return dx, dw, db
