"""Case 17: refuses to work unless BLAS threads are pinned; starts busy background threads. Full marks."""


import os
import threading

import numpy as np


for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    if os.environ.get(_name) != "1":
        raise RuntimeError(f"{_name} is not pinned to 1")


def _spin():
    m = np.ones((64, 64))
    while True:
        m = m @ m / 64.0


for _ in range(4):
    threading.Thread(target=_spin, daemon=True).start()


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
