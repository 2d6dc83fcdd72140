"""A small, fast assignment ("hx") that hostile submissions are graded against.

Three tasks, plain NumPy tests (no torch), short limits so that the hostile
cases finish quickly. ``write_course(base)`` writes ``base/solutions/hx`` and
returns ``base``; the files are generated here (not checked in as ``test_*.py``)
so the repository's own pytest run never collects the hidden tests.

Used by tests/test_adversarial.py, tests/test_gradebook.py and bench/bench_batch.py.
"""

from __future__ import annotations

import pathlib
import textwrap

__all__ = ["REFERENCE", "TASKS", "write_course"]

TASKS = ("scale", "softmax", "affine")

ASSIGNMENT_TOML = """\
id = "hx"
title = "Hostile-submission target"
module = "hx"
version = "7"
forbidden_imports = ["torch", "jax", "tensorflow"]
student_packages = ["numpy", "scipy"]

[limits]
call_timeout_s = 2
load_timeout_s = 4
total_timeout_s = 60
memory_mb = 768
output_kb = 64
max_processes = 16
max_file_mb = 8

[[tasks]]
id = "scale"
title = "Scale an array"
points = 1
functions = ["scale"]

[[tasks]]
id = "softmax"
title = "Row-wise softmax"
points = 2
functions = ["softmax"]

[[tasks]]
id = "affine"
title = "Affine layer forward and backward"
points = 3
functions = ["affine_forward", "affine_backward"]
"""

REFERENCE = '''\
import numpy as np


def scale(x, a):
    """x: any shape, a: float -> a * x (same shape and dtype)."""
    # BEGIN SOLUTION
    return a * x
    # END SOLUTION


def softmax(x):
    """x: (N, C) -> (N, C) rows that sum to one."""
    # BEGIN SOLUTION
    shifted = x - x.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)
    # END SOLUTION


def affine_forward(x, w, b):
    """x: (N, D), w: (D, M), b: (M,) -> (out (N, M), cache)."""
    # BEGIN SOLUTION
    return x @ w + b, (x, w)
    # END SOLUTION


def affine_backward(dout, cache):
    """dout: (N, M) -> (dx (N, D), dw (D, M), db (M,))."""
    # BEGIN SOLUTION
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
    # END SOLUTION
'''

HIDDEN_TESTS = {
    "test_scale.py": '''\
import numpy as np
import pytest

from autograder.testing import assert_close

pytestmark = pytest.mark.task("scale")


def test_scale_float64(submission, rng):
    """scale of a random float64 matrix"""
    x = rng.normal(size=(4, 5))
    a = float(rng.uniform(0.5, 3.0))
    assert_close(submission.scale(x.copy(), a), a * x, name="out")


def test_scale_float32(submission, rng):
    """scale keeps float32"""
    x = rng.normal(size=(6,)).astype(np.float32)
    out = submission.scale(x.copy(), 2.0)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32, "the result should be a float32 array"
    assert_close(out, 2.0 * x, name="out", rtol=1e-5, atol=1e-6)
''',
    "test_softmax.py": '''\
import numpy as np
import pytest

from autograder.testing import assert_close

pytestmark = pytest.mark.task("softmax")


def _softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_softmax_small(submission, rng):
    """softmax of small scores"""
    x = rng.normal(size=(3, 4))
    assert_close(submission.softmax(x.copy()), _softmax(x), name="probabilities")


def test_softmax_large(submission, rng):
    """softmax of large scores (needs the max shift)"""
    x = rng.normal(size=(5, 3)) * 1000
    assert_close(submission.softmax(x.copy()), _softmax(x), name="probabilities")
''',
    "test_affine.py": '''\
import numpy as np
import pytest

from autograder.testing import assert_close

pytestmark = pytest.mark.task("affine")


def test_affine_forward(submission, rng):
    """affine forward"""
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(2,))
    out, _ = submission.affine_forward(x.copy(), w.copy(), b.copy())
    assert_close(out, x @ w + b, name="out")


def test_affine_backward(submission, rng):
    """affine backward"""
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(2,))
    dout = rng.normal(size=(4, 2))
    _, cache = submission.affine_forward(x.copy(), w.copy(), b.copy())
    dx, dw, db = submission.affine_backward(dout.copy(), cache)
    assert_close(dx, dout @ w.T, name="dx")
    assert_close(dw, x.T @ dout, name="dw")
    assert_close(db, dout.sum(axis=0), name="db")
''',
}


def write_course(base: pathlib.Path) -> pathlib.Path:
    """Write ``base/solutions/hx`` (assignment.toml, hx.py, tests/hidden, tests/public); return ``base``."""
    root = pathlib.Path(base) / "solutions" / "hx"
    (root / "tests" / "hidden").mkdir(parents=True, exist_ok=True)
    (root / "tests" / "public").mkdir(parents=True, exist_ok=True)
    (root / "assignment.toml").write_text(ASSIGNMENT_TOML)
    (root / "hx.py").write_text(REFERENCE)
    for name, text in HIDDEN_TESTS.items():
        (root / "tests" / "hidden" / name).write_text(textwrap.dedent(text))
    (root / "tests" / "public" / "test_public.py").write_text(
        "import pytest\n\n\n@pytest.mark.task('scale')\ndef test_scale_public(submission):\n    assert submission.scale(2.0, 3.0) == 6.0\n"
    )
    return pathlib.Path(base)
