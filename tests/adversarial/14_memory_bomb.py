"""Case 14: softmax allocates 64 GiB at once; affine_forward keeps allocating 256 MiB arrays until the limit."""


import numpy as np


def scale(x, a):
    return a * x


def softmax(x):
    big = np.ones((1 << 33,))
    return big[: x.size].reshape(x.shape)


def affine_forward(x, w, b):
    hog = []
    while True:
        hog.append(np.empty(1 << 25))


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
