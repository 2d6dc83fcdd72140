# task: conv_transpose
# Builds the full (uncropped) output, then crops it with full[:, :, ph:-ph, pw:-pw]: empty when pad is 0.
# hint: crop_negative_pad
def conv_transpose_forward(x, w, b, conv_param):
    stride = conv_param.get("stride", 1)
    pad = conv_param.get("pad", 0)
    N, C_in, H, W = x.shape
    _, F, kh, kw = w.shape
    sh, sw = _pair(stride)
    ph, pw = _pair(pad)
    H_full, W_full = (H - 1) * sh + kh, (W - 1) * sw + kw
    cols = np.matmul(w.reshape(C_in, F * kh * kw).T, x.reshape(N, C_in, H * W))
    full = col2im(cols, (N, F, H_full, W_full), kh, kw, stride, 0)
    out = full[:, :, ph:-ph, pw:-pw] + b.reshape(1, F, 1, 1)
    return out, (x, w, stride, pad)
