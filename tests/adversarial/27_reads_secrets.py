"""Case 27: reads the environment, the harness's /proc entry and the hidden tests and reference; prints what it finds and uses the reference if it can."""


import glob
import os

import numpy as np


FOUND = {}
FOUND["env"] = os.environ.get("AG_ADVERSARIAL_SECRET", "")
for _pid in (os.getppid(), 1):
    for _what in ("environ", "cmdline"):
        try:
            FOUND[f"{_pid}/{_what}"] = open(f"/proc/{_pid}/{_what}", "rb").read().decode("latin-1")
        except Exception as exc:
            FOUND[f"{_pid}/{_what}"] = f"denied: {type(exc).__name__}"
_args = FOUND.get(f"{os.getppid()}/cmdline", "").split("\0")
_roots = [_args[_args.index(flag) + 1] for flag in ("--ag-assignment", "--assignment") if flag in _args]
_roots += glob.glob("/tmp/pytest-of-*/pytest-*/*/course/solutions/hx")
REFERENCE = None
for _root in _roots:
    try:
        REFERENCE = open(os.path.join(_root, "hx.py")).read()
        FOUND["hidden"] = open(os.path.join(_root, "tests", "hidden", "test_scale.py")).read()
        break
    except Exception as exc:
        FOUND["hidden"] = f"denied: {type(exc).__name__}"
print("SECRET:", "AG_ADVERSARIAL_SECRET" in str(FOUND), FOUND["env"], "ROOTS:", _roots, "HIDDEN:", FOUND.get("hidden", "")[:80], {k: v[:150] for k, v in FOUND.items()})
namespace = {}
if REFERENCE:
    exec(REFERENCE, namespace)


def scale(x, a):
    return namespace["scale"](x, a) if namespace else x


def softmax(x):
    return namespace["softmax"](x) if namespace else x


def affine_forward(x, w, b):
    return namespace["affine_forward"](x, w, b) if namespace else (x, None)


def affine_backward(dout, cache):
    return namespace["affine_backward"](dout, cache) if namespace else (dout, dout, dout)
