# task: conv_forward
# A 1x1 (pointwise) fast path that subsamples x by the stride and forgets the padding
# (right for every kernel larger than 1x1, and for 1x1 kernels without padding).
_reference_conv_forward = conv_forward


def conv_forward(x, w, b, conv_param):
    F, Cg, kh, kw = w.shape
    groups = conv_param.get("groups", 1)
    if (kh, kw) != (1, 1) or groups != 1:
        return _reference_conv_forward(x, w, b, conv_param)
    sh, sw = _pair(conv_param.get("stride", 1))
    xs = x[:, :, ::sh, ::sw]
    out = np.einsum("fc,nchw->nfhw", w[:, :, 0, 0], xs) + b.reshape(1, F, 1, 1)
    _, cache = _reference_conv_forward(x, w, b, conv_param)
    return out, cache
