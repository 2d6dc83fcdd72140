# task: output_size
# Rounds the number of windows up (true division + ceil): counts an incomplete last window.
# hint: rounded_up
import math


def conv_output_size(size, kernel, stride=1, pad=0, dilation=1):
    span = dilation * (kernel - 1) + 1
    return math.ceil((size + 2 * pad - span) / stride) + 1
