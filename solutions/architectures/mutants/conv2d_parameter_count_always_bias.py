# task: conv_counts
# Always adds the bias, also for bias=False (the convolutions before a batch norm).
# hint: param_bias_when_false
def conv2d_parameter_count(in_channels, out_channels, kernel_size, groups=1, bias=True):
    kh, kw = _pair(kernel_size)
    return out_channels * (in_channels // groups) * kh * kw + out_channels
