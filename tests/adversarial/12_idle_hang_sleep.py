"""Case 12: softmax sleeps (no CPU used); caught by wall time."""


import time

import numpy as np


def scale(x, a):
    return a * x


def softmax(x):
    time.sleep(3600)


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
