"""Case 21: scale kills its parent (the harness) and its process group; softmax calls pytest.exit. affine is correct."""


import os
import signal

import numpy as np


def scale(x, a):
    for target in (os.getppid(), 1):
        try:
            os.kill(target, signal.SIGKILL)
        except Exception:
            pass
    try:
        os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)
    except Exception:
        pass
    return x


def softmax(x):
    import pytest

    pytest.exit("all tests passed", returncode=0)


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
