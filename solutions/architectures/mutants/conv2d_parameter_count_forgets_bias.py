# task: conv_counts
# Counts the weights only and forgets the bias, also when bias=True.
# hint: param_left_out_bias
def conv2d_parameter_count(in_channels, out_channels, kernel_size, groups=1, bias=True):
    kh, kw = _pair(kernel_size)
    return out_channels * (in_channels // groups) * kh * kw
