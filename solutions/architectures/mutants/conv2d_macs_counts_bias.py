# task: conv_counts
# Adds one operation per output value for the bias, which API.md leaves out of the MAC count.
# hint: macs_counted_bias
def conv2d_macs(in_channels, out_channels, kernel_size, output_size, groups=1):
    kh, kw = _pair(kernel_size)
    oh, ow = _pair(output_size)
    return out_channels * (in_channels // groups) * kh * kw * oh * ow + out_channels * oh * ow
