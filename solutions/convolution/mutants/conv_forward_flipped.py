# task: conv_forward
# Flips the kernel (textbook convolution) instead of the cross-correlation every DL library computes.
# hint: flipped_kernel
_reference_conv_forward = conv_forward


def conv_forward(x, w, b, conv_param):
    return _reference_conv_forward(x, np.ascontiguousarray(w[:, :, ::-1, ::-1]), b, conv_param)
