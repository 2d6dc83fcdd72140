"""Case 26: returns pickle bytes and objects with a malicious __reduce__; nothing is unpickled."""


import os
import pickle

import numpy as np


class Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/ag-pwned-by-case-26",))


PAYLOAD = pickle.dumps(Evil())


def scale(x, a):
    return PAYLOAD


def softmax(x):
    return Evil()


def affine_forward(x, w, b):
    return np.asarray(Evil(), dtype=object), Evil()


def affine_backward(dout, cache):
    return np.array([Evil()] * 3, dtype=object), PAYLOAD, Evil()
