# task: conv_transpose
# Backward: dw uses the first image of the batch only (forgets to sum dw over the batch).
_reference_conv_transpose_backward = conv_transpose_backward


def conv_transpose_backward(dout, cache):
    x, w, stride, pad = cache
    dx, dw, db = _reference_conv_transpose_backward(dout, cache)
    _, dw0, _ = _reference_conv_transpose_backward(dout[:1], (x[:1], w, stride, pad))
    return dx, dw0, db
