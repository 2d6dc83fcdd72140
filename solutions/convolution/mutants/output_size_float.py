# task: output_size
# Right lengths, returned as floats (np.floor(...) + 1 is a numpy float64): not an integer, not a valid shape.
def conv_output_size(size, kernel, stride=1, pad=0, dilation=1):
    span = dilation * (kernel - 1) + 1
    return np.floor((size + 2 * pad - span) / stride) + 1
