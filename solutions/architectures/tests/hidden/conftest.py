"""Fixtures of the architectures hidden tests: where the student's module runs (helpers are in helpers.py)."""

import pytest


@pytest.fixture
def device(device, submission) -> str:
    """Where the student's module runs (the plugin's ``device``: ``"cuda"`` when the run was asked for a
    GPU with ``--gpus``, else ``"cpu"``), with TF32 checked off there."""
    if device == "cuda":
        from helpers import check_strict_float_math  # imported here: pytest loads this file before the plugin puts helpers on the path

        check_strict_float_math(submission)
    return device


@pytest.fixture
def cuda(device) -> str:
    """``"cuda"`` for the GPU tests (marked ``gpu``: not run, as the grader's doing, unless the run asked for a GPU)."""
    if device != "cuda":
        pytest.skip("needs a GPU: grade with --gpus to run the GPU tests")
    return device
