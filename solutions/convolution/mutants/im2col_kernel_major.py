# task: im2col
# Orders the rows (kh, kw, C) instead of torch's (C, kh, kw): right values, wrong layout.
# hint: kernel_major_rows
def im2col(x, kh, kw, stride=1, pad=0):
    N, C, H, W = x.shape
    sh, sw = _pair(stride)
    ph, pw = _pair(pad)
    out_h = conv_output_size(H, kh, sh, ph)
    out_w = conv_output_size(W, kw, sw, pw)
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.empty((N, kh, kw, C, out_h, out_w), dtype=x.dtype)
    for u in range(kh):
        for v in range(kw):
            cols[:, u, v] = x_pad[:, :, u:u + sh * out_h:sh, v:v + sw * out_w:sw]
    return cols.reshape(N, C * kh * kw, out_h * out_w)
