"""Case 3: softmax is misspelled (softmx); only the softmax tests fail, naming the function."""


import numpy as np


def scale(x, a):
    return a * x


def softmx(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
