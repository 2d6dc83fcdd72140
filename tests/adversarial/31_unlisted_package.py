"""Case 31, variant: a package the grader's interpreter has (scikit-learn) but the
assignment does not list in student_packages (numpy, scipy). Refused alike in every
sandbox, as if not installed; scipy, which is listed, works."""

import numpy as np
from scipy.special import softmax as scipy_softmax


def scale(x, a):
    return a * x


def softmax(x):
    return scipy_softmax(x, axis=1)


def affine_forward(x, w, b):
    from sklearn.utils.extmath import safe_sparse_dot

    return safe_sparse_dot(x, w) + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
