# task: im2col
# Correct values, but a Python loop over every output pixel (and image): too slow.
def im2col(x, kh, kw, stride=1, pad=0):
    N, C, H, W = x.shape
    sh, sw = _pair(stride)
    ph, pw = _pair(pad)
    out_h = conv_output_size(H, kh, sh, ph)
    out_w = conv_output_size(W, kw, sw, pw)
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.empty((N, C * kh * kw, out_h * out_w), dtype=x.dtype)
    for n in range(N):
        for i in range(out_h):
            for j in range(out_w):
                patch = x_pad[n, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                cols[n, :, i * out_w + j] = patch.reshape(-1)
    return cols
