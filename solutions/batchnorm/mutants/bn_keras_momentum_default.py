# task: bn_forward
# Keras's default momentum: momentum = bn_param.get("momentum", 0.99) instead of 0.9.
# hint: keras_momentum_default
_reference_batchnorm_forward = batchnorm_forward


def batchnorm_forward(x, gamma, beta, bn_param):
    bn_param.setdefault("momentum", 0.99)
    return _reference_batchnorm_forward(x, gamma, beta, bn_param)
