# task: conv_backward
# Scatters the columns into a padded dx itself and crops it with dx_pad[:, :, ph:-ph, pw:-pw]: empty when pad is 0.
# hint: crop_negative_pad
_reference_conv_backward = conv_backward


def conv_backward(dout, cache):
    x_shape, w, cols_g, stride, pad, groups = cache
    _, dw, db = _reference_conv_backward(dout, cache)
    N, C, H, W = x_shape
    F, Cg, kh, kw = w.shape
    sh, sw = _pair(stride)
    ph, pw = _pair(pad)
    oh, ow = dout.shape[2:]
    dcols = np.matmul(w.reshape(groups, F // groups, -1).transpose(0, 2, 1), dout.reshape(N, groups, F // groups, oh * ow))
    dcols = dcols.reshape(N, C, kh, kw, oh, ow)
    dx_pad = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for u in range(kh):
        for v in range(kw):
            dx_pad[:, :, u:u + sh * oh:sh, v:v + sw * ow:sw] += dcols[:, :, u, v]
    return dx_pad[:, :, ph:-ph, pw:-pw], dw, db
