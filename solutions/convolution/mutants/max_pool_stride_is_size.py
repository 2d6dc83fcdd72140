# task: max_pool
# Ignores pool_param["stride"] and steps by the window size (fine for 2x2/stride 2 only).
_reference_max_pool_forward = max_pool_forward


def max_pool_forward(x, pool_param):
    param = dict(pool_param, stride=pool_param["pool_height"])
    return _reference_max_pool_forward(x, param)
