"""Case 23: asks to be skipped (pytest.skip, unittest.SkipTest); skips count as failures."""


import unittest

import numpy as np


def scale(x, a):
    import pytest

    pytest.skip("not needed")


def softmax(x):
    raise unittest.SkipTest("skip me")


def affine_forward(x, w, b):
    raise unittest.SkipTest("skip me")


def affine_backward(dout, cache):
    raise unittest.SkipTest("skip me")
