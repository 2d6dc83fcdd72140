# task: col2im
# Correct values, but a Python loop over every output pixel (and image) to scatter the columns: too slow.
def col2im(cols, x_shape, kh, kw, stride=1, pad=0):
    N, C, H, W = x_shape
    sh, sw = _pair(stride)
    ph, pw = _pair(pad)
    out_h = conv_output_size(H, kh, sh, ph)
    out_w = conv_output_size(W, kw, sw, pw)
    x_pad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    for n in range(N):
        for i in range(out_h):
            for j in range(out_w):
                patch = cols[n, :, i * out_w + j].reshape(C, kh, kw)
                x_pad[n, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += patch
    return x_pad[:, :, ph:ph + H, pw:pw + W]
