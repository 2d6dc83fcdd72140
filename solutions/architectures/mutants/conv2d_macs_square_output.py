# task: conv_counts
# Reads an (oh, ow) output size as a square of side oh.
# hint: macs_square_output
def conv2d_macs(in_channels, out_channels, kernel_size, output_size, groups=1):
    kh, kw = _pair(kernel_size)
    side = output_size[0] if isinstance(output_size, (tuple, list)) else output_size
    return out_channels * (in_channels // groups) * kh * kw * side * side
