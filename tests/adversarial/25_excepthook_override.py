"""Case 25: replaces sys.excepthook and IPython's showtraceback, then raises everywhere."""


import sys

import numpy as np


sys.excepthook = lambda *args: None
sys.unraisablehook = lambda *args: None
try:
    from IPython.core.interactiveshell import InteractiveShell
    InteractiveShell.showtraceback = lambda *args, **kwargs: None
except Exception:
    pass


def scale(x, a):
    raise ValueError("hidden")


def softmax(x):
    raise ValueError("hidden")


def affine_forward(x, w, b):
    raise ValueError("hidden")


def affine_backward(dout, cache):
    raise ValueError("hidden")
