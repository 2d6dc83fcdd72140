# task: output_size
# Adds the padding once instead of on both sides: (size + pad - span) // stride + 1.
# hint: one_side_pad
def conv_output_size(size, kernel, stride=1, pad=0, dilation=1):
    span = dilation * (kernel - 1) + 1
    return (size + pad - span) // stride + 1
