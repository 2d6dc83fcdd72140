# task: conv_forward
# Correct (groups = 1) but the naive loop over images, filters and output pixels: far too slow.
def conv_forward(x, w, b, conv_param):
    stride = conv_param.get("stride", 1)
    pad = conv_param.get("pad", 0)
    groups = conv_param.get("groups", 1)
    N, C, H, W = x.shape
    F, Cg, kh, kw = w.shape
    sh, sw = _pair(stride)
    ph, pw = _pair(pad)
    out_h = conv_output_size(H, kh, sh, ph)
    out_w = conv_output_size(W, kw, sw, pw)
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, F, out_h, out_w))
    per_group = F // groups
    for n in range(N):
        for f in range(F):
            g = f // per_group
            for i in range(out_h):
                for j in range(out_w):
                    window = x_pad[n, g * Cg:(g + 1) * Cg, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    cols = im2col(x, kh, kw, stride, pad).reshape(N, groups, Cg * kh * kw, out_h * out_w)
    return out, (x.shape, w, cols, stride, pad, groups)
