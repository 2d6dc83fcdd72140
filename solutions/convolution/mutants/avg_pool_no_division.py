# task: avg_pool
# Backward forgets to divide the upstream gradient by the window area.
# hint: forgot_window_division
def avg_pool_backward(dout, cache):
    x_shape, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x_shape
    L = dout.shape[2] * dout.shape[3]
    dcols = np.broadcast_to(dout.reshape(N * C, 1, L), (N * C, ph * pw, L))
    return col2im(dcols, (N * C, 1, H, W), ph, pw, stride).reshape(x_shape)
