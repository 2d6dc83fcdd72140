# task: conv_counts
# Makes bias=False the default (the course's convolutions before a batch norm have no bias), while
# nn.Conv2d's default, and this function's, is bias=True. Right whenever bias is passed.
# hint: param_default_bias_false
def conv2d_parameter_count(in_channels, out_channels, kernel_size, groups=1, bias=False):
    kh, kw = _pair(kernel_size)
    return out_channels * (in_channels // groups) * kh * kw + (out_channels if bias else 0)
