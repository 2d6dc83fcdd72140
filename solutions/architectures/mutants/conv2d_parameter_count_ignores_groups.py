# task: conv_counts
# Counts a grouped convolution's weights as if it were dense: every output channel sees all in_channels inputs.
# hint: param_ignored_groups
def conv2d_parameter_count(in_channels, out_channels, kernel_size, groups=1, bias=True):
    kh, kw = _pair(kernel_size)
    return out_channels * in_channels * kh * kw + (out_channels if bias else 0)
