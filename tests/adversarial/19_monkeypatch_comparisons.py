"""Case 19: patches np.allclose, np.testing, pytest and unittest to always pass; returns garbage."""


import unittest

import numpy as np


np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), bool)
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
np.testing.assert_array_almost_equal = lambda *args, **kwargs: None
unittest.TestCase.assertEqual = lambda *args, **kwargs: None
try:
    import pytest
    pytest.approx = lambda *args, **kwargs: args[0]
except Exception:
    pass
try:
    import autograder.testing
    autograder.testing.assert_close = lambda *args, **kwargs: None
except Exception:
    pass


def scale(x, a):
    return np.zeros_like(x)


def softmax(x):
    return np.zeros_like(x)


def affine_forward(x, w, b):
    return np.zeros((x.shape[0], w.shape[1])), None


def affine_backward(dout, cache):
    return dout, dout, dout
