# task: conv_counts
# Takes the first entry of a (kh, kw) kernel for both sides, as if every kernel were square.
# hint: param_square_kernel
def conv2d_parameter_count(in_channels, out_channels, kernel_size, groups=1, bias=True):
    k = kernel_size[0] if isinstance(kernel_size, (tuple, list)) else kernel_size
    return out_channels * (in_channels // groups) * k * k + (out_channels if bias else 0)
