# task: relu
# TensorFlow's default slope: negative_slope=0.2 when it is omitted (torch and API.md: 0.01).
# hint: leaky_default_slope_tensorflow
def leaky_relu_forward(x, negative_slope=0.2):
    return np.where(x > 0, x, negative_slope * x), (x, negative_slope)
