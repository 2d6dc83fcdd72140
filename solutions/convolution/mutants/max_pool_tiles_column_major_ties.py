# task: max_pool
# Reshape fast path for exactly tiling 2x2/stride-2-like windows that flattens each window column-major:
# the forward max is right, but ties send the gradient to the first maximum in column-major order.
# hint: column_major_ties
_reference_max_pool_forward = max_pool_forward
_reference_max_pool_backward = max_pool_backward


def max_pool_forward(x, pool_param):
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    if not (ph == pw == stride and H % ph == 0 and W % pw == 0):
        return _reference_max_pool_forward(x, pool_param)
    tiles = x.reshape(N, C, H // ph, ph, W // pw, pw).transpose(0, 1, 2, 4, 5, 3).reshape(N, C, H // ph, W // pw, ph * pw)
    argmax = tiles.argmax(axis=-1)
    out = np.take_along_axis(tiles, argmax[..., None], axis=-1)[..., 0]
    return out, ("tiles", x.shape, argmax, ph, pw)


def max_pool_backward(dout, cache):
    if cache[0] != "tiles":
        return _reference_max_pool_backward(dout, cache)
    _, x_shape, argmax, ph, pw = cache
    N, C, oh, ow = argmax.shape
    onehot = (argmax[..., None] == np.arange(ph * pw)) * dout[..., None]
    return onehot.reshape(N, C, oh, ow, pw, ph).transpose(0, 1, 2, 5, 3, 4).reshape(x_shape)
