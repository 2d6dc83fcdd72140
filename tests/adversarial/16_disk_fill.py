"""Case 16: scale writes a 1 GiB file (above the file-size limit); the others create 2000 small files. Clean error, nothing left behind."""


import os
import tempfile

import numpy as np


for _i in range(2000):
    with open(os.path.join(tempfile.gettempdir(), f"junk{_i}.txt"), "w") as _f:
        _f.write("x")


def scale(x, a):
    with open("fill.bin", "wb") as handle:
        for _ in range(1024):
            handle.write(b"\0" * (1 << 20))
    return a * x


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
