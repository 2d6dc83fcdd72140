# task: conv_counts
# Counts a grouped convolution's MACs as if it were dense (in_channels * out_channels * kh * kw * oh * ow).
# hint: macs_ignored_groups
def conv2d_macs(in_channels, out_channels, kernel_size, output_size, groups=1):
    kh, kw = _pair(kernel_size)
    oh, ow = _pair(output_size)
    return out_channels * in_channels * kh * kw * oh * ow
