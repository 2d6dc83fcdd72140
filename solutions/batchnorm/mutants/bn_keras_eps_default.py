# task: bn_forward
# Keras's default epsilon: eps = bn_param.get("eps", 1e-3) instead of 1e-5.
# hint: keras_eps_default
_reference_batchnorm_forward = batchnorm_forward


def batchnorm_forward(x, gamma, beta, bn_param):
    bn_param.setdefault("eps", 1e-3)
    return _reference_batchnorm_forward(x, gamma, beta, bn_param)
