"""Case 28: searches the call stack and gc.get_objects() for the expected values."""


import gc
import inspect

import numpy as np


def _search(shape, exclude):
    for frame in inspect.stack():
        for value in frame.frame.f_locals.values():
            if isinstance(value, np.ndarray) and value.shape == shape and not any(value is e for e in exclude):
                return value
    for obj in gc.get_objects():
        if isinstance(obj, np.ndarray) and obj.shape == shape and not any(obj is e for e in exclude):
            return obj
    return np.zeros(shape)


def scale(x, a):
    return _search(np.shape(x), [x])


def softmax(x):
    return _search(x.shape, [x])


def affine_forward(x, w, b):
    return _search((x.shape[0], w.shape[1]), [x, w, b]), None


def affine_backward(dout, cache):
    return dout, dout, dout
