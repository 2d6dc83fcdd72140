"""Case 12: scale waits forever on a socket; softmax reads stdin; caught by wall time."""


import socket
import sys

import numpy as np


def scale(x, a):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.accept()


def softmax(x):
    sys.stdin.read()
    time_left = 1
    while time_left:
        import time
        time.sleep(10)


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
