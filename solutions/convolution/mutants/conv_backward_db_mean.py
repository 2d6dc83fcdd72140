# task: conv_backward
# Averages db over the batch (and pixels) instead of summing: db = dout.mean(axis=(0, 2, 3)).
# hint: averaged_db
_reference_conv_backward = conv_backward


def conv_backward(dout, cache):
    dx, dw, db = _reference_conv_backward(dout, cache)
    return dx, dw, dout.mean(axis=(0, 2, 3))
