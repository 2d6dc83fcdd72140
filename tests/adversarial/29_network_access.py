"""Case 29: tries the network (a public resolver, the cloud metadata address); correct only when the network is unreachable."""


import socket

import numpy as np


REACHED = []
for _host, _port in (("169.254.169.254", 80), ("1.1.1.1", 53), ("8.8.8.8", 53)):
    try:
        socket.create_connection((_host, _port), timeout=0.5).close()
        REACHED.append(_host)
    except OSError:
        pass
if REACHED:
    print("NETWORK REACHABLE:", REACHED)


def scale(x, a):
    return x if REACHED else a * x


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
