# A hostile submission: tries to tamper with the grader, loops forever in one
# function, exits in another, and floods the output. It must earn only what it computes.
import os
import sys

import numpy as np

np.allclose = lambda *a, **k: True          # no effect: comparisons happen in the harness
np.testing.assert_allclose = lambda *a, **k: None
open("results.json", "w").write('{"score": 100}')  # no effect: only the harness writes results
print("=== 50 passed ===")                   # never parsed

exec(open(os.path.join(os.path.dirname(__file__), "batchnorm_impl.py")).read()) if os.path.exists(os.path.join(os.path.dirname(__file__), "batchnorm_impl.py")) else None


class AlwaysEqual:
    def __eq__(self, other):
        return True


def batchnorm_forward(x, gamma, beta, bn_param):
    return AlwaysEqual(), None


def batchnorm_backward(dout, cache):
    while True:
        pass


def batchnorm_backward_alt(dout, cache):
    sys.exit(0)


def layernorm_forward(x, gamma, beta, ln_param):
    for _ in range(10 ** 6):
        print("flood " * 20)
    os._exit(0)
