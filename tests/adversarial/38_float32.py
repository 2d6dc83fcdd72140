"""Case 38: computes in float32 when given float32: full marks at float32 tolerances."""


import numpy as np


def scale(x, a):
    x = np.asarray(x)
    return (x * x.dtype.type(a)) if x.dtype == np.float32 else a * x


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
