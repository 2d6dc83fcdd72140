# task: conv_forward
# Assigns channel c to group c % groups (interleaved) instead of consecutive blocks of C/groups channels.
# hint: interleaved_groups
_reference_conv_forward = conv_forward


def conv_forward(x, w, b, conv_param):
    groups = conv_param.get("groups", 1)
    N, C, H, W = x.shape
    order = np.arange(C).reshape(C // groups, groups).T.reshape(-1)
    return _reference_conv_forward(x[:, order], w, b, conv_param)
