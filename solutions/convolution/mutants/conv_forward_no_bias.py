# task: conv_forward
# Forgets to add the bias.
# hint: forgot_bias
_reference_conv_forward = conv_forward


def conv_forward(x, w, b, conv_param):
    return _reference_conv_forward(x, w, np.zeros_like(b), conv_param)
