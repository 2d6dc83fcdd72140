# task: max_pool
# Backward loops over the windows keeping the maximum with `>=`, so ties send the gradient to the LAST maximum.
# hint: last_tied_maximum
_reference_max_pool_forward = max_pool_forward


def max_pool_forward(x, pool_param):
    out, _ = _reference_max_pool_forward(x, pool_param)
    return out, (x, pool_param)


def max_pool_backward(dout, cache):
    x, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C = x.shape[:2]
    dx = np.zeros(x.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw].reshape(N, C, -1)
            last = window.shape[2] - 1 - window[:, :, ::-1].argmax(axis=2)
            mask = (np.arange(ph * pw) == last[..., None]).reshape(N, C, ph, pw)
            dx[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw] += mask * dout[:, :, i, j][..., None, None]
    return dx
