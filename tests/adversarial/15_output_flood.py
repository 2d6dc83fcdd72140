"""Case 15: prints 200 MiB while loading; correct otherwise. Output is capped and marked truncated."""


import sys

import numpy as np


_line = ("flood " * 20 + "\n") * 8000
for _ in range(200):
    sys.stdout.write(_line)


def scale(x, a):
    return a * x


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
