# task: conv_backward
# Folds dcols back with assignment instead of addition: overlapping windows lose gradient in dx.
# hint: overwrote_overlaps
_reference_conv_backward = conv_backward


def conv_backward(dout, cache):
    x_shape, w, cols_g, stride, pad, groups = cache
    dx, dw, db = _reference_conv_backward(dout, cache)
    N = x_shape[0]
    F, Cg, kh, kw = w.shape
    L = dout.shape[2] * dout.shape[3]
    w_g = w.reshape(groups, F // groups, Cg * kh * kw)
    dcols = np.matmul(w_g.transpose(0, 2, 1), dout.reshape(N, groups, F // groups, L))
    C, H, W = x_shape[1:]
    sh, sw = _pair(stride)
    ph, pw = _pair(pad)
    oh, ow = dout.shape[2:]
    dcols = dcols.reshape(N, C, kh, kw, oh, ow)
    x_pad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for u in range(kh):
        for v in range(kw):
            x_pad[:, :, u:u + sh * oh:sh, v:v + sw * ow:sw] = dcols[:, :, u, v]
    return x_pad[:, :, ph:ph + H, pw:pw + W], dw, db
