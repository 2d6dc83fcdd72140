# task: output_size
# Ignores the dilation: uses the dense kernel length as the span.
# hint: ignored_dilation
def conv_output_size(size, kernel, stride=1, pad=0, dilation=1):
    return (size + 2 * pad - kernel) // stride + 1
