# task: im2col
# Unpacks (h, w) pairs the wrong way round: stride/pad along H is applied along W and vice versa.
# hint: swapped_pairs
def im2col(x, kh, kw, stride=1, pad=0):
    N, C, H, W = x.shape
    sw, sh = _pair(stride)
    pw, ph = _pair(pad)
    out_h = conv_output_size(H, kh, sh, ph)
    out_w = conv_output_size(W, kw, sw, pw)
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.empty((N, C, kh, kw, out_h, out_w), dtype=x.dtype)
    for u in range(kh):
        for v in range(kw):
            cols[:, :, u, v] = x_pad[:, :, u:u + sh * out_h:sh, v:v + sw * out_w:sw]
    return cols.reshape(N, C * kh * kw, out_h * out_w)
