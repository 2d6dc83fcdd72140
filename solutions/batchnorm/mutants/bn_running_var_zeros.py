# task: bn_forward
# CS231n's starter code: running_var = bn_param.get("running_var", np.zeros(D)) (this course starts it at ones).
# hint: cs231n_running_var_zeros
_reference_batchnorm_forward = batchnorm_forward


def batchnorm_forward(x, gamma, beta, bn_param):
    bn_param.setdefault("running_var", np.zeros(x.shape[1], dtype=x.dtype))
    return _reference_batchnorm_forward(x, gamma, beta, bn_param)
