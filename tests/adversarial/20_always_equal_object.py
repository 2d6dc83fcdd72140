"""Case 20: returns objects whose comparisons are always true, and ndarray subclasses overriding them."""


import numpy as np


class AlwaysEqual:
    shape = property(lambda self: (4, 5))
    dtype = np.dtype("float64")

    def __eq__(self, other):
        return True

    __le__ = __ge__ = __lt__ = __gt__ = __eq__

    def __ne__(self, other):
        return False

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__

    def __abs__(self):
        return 0.0

    def __array__(self, *args, **kwargs):
        raise TypeError("no")


class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, bool)

    def __sub__(self, other):
        return np.zeros(self.shape)

    __rsub__ = __sub__

    def __abs__(self):
        return np.zeros(self.shape)


def scale(x, a):
    return AlwaysEqual()


def softmax(x):
    return np.zeros_like(x).view(Liar)


def affine_forward(x, w, b):
    return np.zeros((x.shape[0], w.shape[1])).view(Liar), AlwaysEqual()


def affine_backward(dout, cache):
    return AlwaysEqual(), AlwaysEqual(), AlwaysEqual()
