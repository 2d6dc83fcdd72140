"""Case 36: correct code with debug prints everywhere: full marks."""


import numpy as np


print("loading my homework")


def scale(x, a):
    print("scale got", x, a)
    return a * x


def softmax(x):
    print("softmax shape", x.shape)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    print("e", e)
    return e / e.sum(axis=1, keepdims=True)


def affine_forward(x, w, b):
    print("forward", x.shape, w.shape)
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    print("backward", dout)
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
