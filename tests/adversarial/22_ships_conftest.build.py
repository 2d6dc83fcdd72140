"""Case 22: ships conftest.py, pytest.ini, sitecustomize.py and numpy.py that would force every test to pass.

Built by the adversarial suite: ``build(directory)`` writes the submission and returns its path.
"""

import io
import json
import pathlib
import stat
import zipfile

CORRECT = pathlib.Path(__file__).with_name("38_float32.py").read_text().split('"""', 2)[2]


def _zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            if isinstance(name, zipfile.ZipInfo):
                archive.writestr(name, data)
            else:
                archive.writestr(name, data)
    return buffer.getvalue()


CONFTEST = """
import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
"""
FAKE_NUMPY = "def allclose(*a, **k):\n    return True\n"
SITE = "import builtins\nbuiltins.AG_HACKED = True\n"
WRONG = "def scale(x, a):\n    return x\n\ndef softmax(x):\n    return x\n\ndef affine_forward(x, w, b):\n    return x, None\n\ndef affine_backward(d, c):\n    return d, d, d\n"


def build(directory):
    path = pathlib.Path(directory) / "22_ships_conftest.zip"
    path.write_bytes(_zip([("hx.py", WRONG), ("conftest.py", CONFTEST), ("pytest.ini", "[pytest]\naddopts = -p no:autograder\n"),
                           ("sitecustomize.py", SITE), ("numpy.py", FAKE_NUMPY), ("tests/conftest.py", CONFTEST)]))
    return path
