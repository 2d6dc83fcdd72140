# task: col2im
# Crops the padding with x_pad[p:-p], which returns an empty array when pad == 0.
# hint: crop_negative_pad
def col2im(cols, x_shape, kh, kw, stride=1, pad=0):
    N, C, H, W = x_shape
    sh, sw = _pair(stride)
    ph, pw = _pair(pad)
    out_h = conv_output_size(H, kh, sh, ph)
    out_w = conv_output_size(W, kw, sw, pw)
    cols = cols.reshape(N, C, kh, kw, out_h, out_w)
    x_pad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    for u in range(kh):
        for v in range(kw):
            x_pad[:, :, u:u + sh * out_h:sh, v:v + sw * out_w:sw] += cols[:, :, u, v]
    return x_pad[:, :, ph:-ph, pw:-pw]
