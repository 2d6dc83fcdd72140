# task: max_pool
# Backward loops over the windows and assigns each window's block of dx (dx[window] = mask * dout) instead of
# adding to it: where windows overlap, the last window wins (right when stride >= window).
# hint: overwrote_overlaps
_reference_max_pool_forward = max_pool_forward


def max_pool_forward(x, pool_param):
    out, (x_shape, argmax, param) = _reference_max_pool_forward(x, pool_param)
    return out, (x, param)


def max_pool_backward(dout, cache):
    x, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C = x.shape[:2]
    dx = np.zeros(x.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw].reshape(N, C, -1)
            mask = (np.arange(ph * pw) == window.argmax(axis=2)[..., None]).reshape(N, C, ph, pw)
            dx[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw] = mask * dout[:, :, i, j][..., None, None]
    return dx
