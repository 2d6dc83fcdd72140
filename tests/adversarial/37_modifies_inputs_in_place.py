"""Case 37: correct code that overwrites its inputs in place: full marks."""


import numpy as np


def scale(x, a):
    x *= a
    return x


def softmax(x):
    x -= x.max(axis=1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(axis=1, keepdims=True)
    return x


def affine_forward(x, w, b):
    out = x @ w + b
    b[:] = 0
    return out, (x.copy(), w.copy())


def affine_backward(dout, cache):
    x, w = cache
    db = dout.sum(axis=0)
    dx, dw = dout @ w.T, x.T @ dout
    dout[:] = 0
    return dx, dw, db
