"""Case 31, variant: a package the grader's interpreter has (scikit-learn) but the
assignment does not list in student_packages (numpy, scipy). Refused alike in every
sandbox, as if not installed; scipy, which is listed, imports (only its light top
level here: the target's 4 s load limit is tight on a busy CI machine)."""

import numpy as np
import scipy


def scale(x, a):
    return a * x


def softmax(x):
    assert scipy.__name__ == "scipy"
    shifted = np.exp(x - x.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def affine_forward(x, w, b):
    from sklearn.utils.extmath import safe_sparse_dot

    return safe_sparse_dot(x, w) + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
