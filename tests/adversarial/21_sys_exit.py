"""Case 21: scale calls sys.exit(0) and softmax os._exit(0); affine is correct and keeps its points."""


import os
import sys

import numpy as np


def scale(x, a):
    sys.exit(0)


def softmax(x):
    os._exit(0)


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
