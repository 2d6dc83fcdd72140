"""Case 30: returns wrong values so the feedback shows how the hidden check failed; it must not reveal the hidden data."""


import numpy as np


def scale(x, a):
    return x + 1


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
