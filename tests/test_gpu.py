"""GPU grading for real (CUDA placement, device mismatch), with the process sandbox.

Runs only where torch sees a CUDA device; elsewhere every test is skipped with
the reason. Marked ``gpu``.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from autograder.grading import GradeOptions, grade_batch  # noqa: E402
from autograder.spec import load_spec  # noqa: E402

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")]

TOML = """
id = "gpuprobe"
module = "gpuprobe"
[limits]
call_timeout_s = 60
load_timeout_s = 60
memory_mb = 65536
[[tasks]]
id = "placement"
points = 1
functions = ["square_on_gpu"]
[[tasks]]
id = "mismatch"
points = 1
functions = ["returns_cuda_tensor"]
"""

TESTS = '''
import numpy as np
import pytest
import torch
from autograder.testing import assert_close

@pytest.mark.gpu
@pytest.mark.task("placement")
def test_square_on_gpu(submission, rng):
    x = rng.normal(size=(64, 32)).astype(np.float32)
    out, device = submission.square_on_gpu(x)
    assert device.startswith("cuda")
    assert_close(out, x * x, rtol=1e-5, atol=1e-6)

@pytest.mark.gpu
@pytest.mark.task("mismatch")
def test_cuda_tensor_is_refused_with_a_clear_message(submission):
    with pytest.raises(Exception, match="torch tensor"):
        submission.returns_cuda_tensor()
'''

SUBMISSION = '''
import torch

def square_on_gpu(x):
    t = torch.as_tensor(x, device="cuda")
    return (t * t).cpu().numpy(), str(t.device)

def returns_cuda_tensor():
    return torch.ones(3, device="cuda")
'''


def test_gpu_tests_run_for_real_on_cuda(tmp_path):
    root = tmp_path / "solutions" / "gpuprobe"
    (root / "tests" / "hidden").mkdir(parents=True)
    (root / "tests" / "public").mkdir(parents=True)
    (root / "assignment.toml").write_text(TOML)
    (root / "gpuprobe.py").write_text("def square_on_gpu(x):\n    pass\n\ndef returns_cuda_tensor():\n    pass\n")
    (root / "tests" / "hidden" / "test_gpu.py").write_text(TESTS)
    submission = tmp_path / "gpuprobe.py"
    submission.write_text(SUBMISSION)
    (result,) = grade_batch(load_spec(root), [submission], tmp_path / "out", GradeOptions(sandbox="process", gpu=True, seed=1, progress=False))
    assert result.status == "ok", result.message
    assert {task.id: task.score for task in result.tasks} == {"placement": 1, "mismatch": 1}
