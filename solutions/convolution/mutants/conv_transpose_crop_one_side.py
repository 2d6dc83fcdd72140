# task: conv_transpose
# Crops all 2*pad rows/columns from the end instead of pad from each side.
# hint: cropped_one_side
def conv_transpose_forward(x, w, b, conv_param):
    stride = conv_param.get("stride", 1)
    pad = conv_param.get("pad", 0)
    N, C_in, H, W = x.shape
    _, F, kh, kw = w.shape
    sh, sw = _pair(stride)
    ph, pw = _pair(pad)
    H_full = (H - 1) * sh + kh
    W_full = (W - 1) * sw + kw
    cols = np.matmul(w.reshape(C_in, F * kh * kw).T, x.reshape(N, C_in, H * W))
    full = col2im(cols, (N, F, H_full, W_full), kh, kw, stride, 0)
    out = full[:, :, :H_full - 2 * ph, :W_full - 2 * pw] + b.reshape(1, F, 1, 1)
    return out, (x, w, stride, pad)
