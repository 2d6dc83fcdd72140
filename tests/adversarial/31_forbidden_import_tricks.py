"""Case 31: reaches torch through __import__, importlib and sys.modules games inside the functions."""


import importlib
import sys

import numpy as np


def scale(x, a):
    torch = __import__("torch")
    return torch.tensor(x).mul(a).numpy()


def softmax(x):
    torch = importlib.import_module("tor" + "ch")
    return torch.softmax(torch.tensor(x), 1).numpy()


def affine_forward(x, w, b):
    sys.modules.pop("torch", None)
    spec = importlib.util.find_spec("torch")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
