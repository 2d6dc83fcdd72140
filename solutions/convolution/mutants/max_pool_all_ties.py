# task: max_pool
# Mask backward (x == window max): sends the gradient to every tied maximum, not only the first.
# hint: all_tied_maxima
def max_pool_forward(x, pool_param):
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    out_h = conv_output_size(H, ph, stride)
    out_w = conv_output_size(W, pw, stride)
    cols = im2col(x.reshape(N * C, 1, H, W), ph, pw, stride)
    out = cols.max(axis=1)
    return out.reshape(N, C, out_h, out_w), (x.shape, cols, out, pool_param)


def max_pool_backward(dout, cache):
    x_shape, cols, out, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x_shape
    mask = cols == out[:, None, :]
    dcols = mask * dout.reshape(N * C, 1, -1)
    return col2im(dcols, (N * C, 1, H, W), ph, pw, stride).reshape(x_shape)
