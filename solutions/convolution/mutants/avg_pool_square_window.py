# task: avg_pool
# Uses pool_height for both window dimensions (square-window assumption).
_reference_avg_pool_forward = avg_pool_forward


def avg_pool_forward(x, pool_param):
    return _reference_avg_pool_forward(x, dict(pool_param, pool_width=pool_param["pool_height"]))
