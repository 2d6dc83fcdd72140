"""torch values across the boundary, for real: tensors as .npy plus dtype/shape/device, modules as proxies."""

from __future__ import annotations


import numpy as np
import pytest

torch = pytest.importorskip("torch")

from autograder.errors import ProtocolError, StudentCodeError  # noqa: E402
from autograder.harness.remote import RemoteObject, RemoteSubmission  # noqa: E402
from autograder.protocol import Decoder, Encoder  # noqa: E402
from autograder.spec import load_spec  # noqa: E402
from autograder.tensor_values import device_of, on_device  # noqa: E402

TOML = """
id = "tiny"
module = "tiny"
student_packages = ["numpy", "torch"]
tensors = true

[limits]
call_timeout_s = 20
load_timeout_s = 60
memory_mb = 8192

[[tasks]]
id = "blocks"
points = 1
functions = ["Scale", "double", "state_of", "sneaky_cpu_tensor"]
"""

STUDENT = '''
import torch
import torch.nn as nn


class Scale(nn.Module):
    expansion = 3

    def __init__(self, channels):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bn = nn.BatchNorm1d(channels)
        self.skip = None

    def forward(self, x):
        return self.bn(x) * self.weight


def double(x):
    return 2 * x


def state_of(module):
    return module.state_dict()


def sneaky_cpu_tensor(x):
    return x + torch.ones(x.shape)  # made on the CPU: a bug on a GPU
'''


def test_tensors_dtypes_and_state_dicts_round_trip_without_pickle():
    state = {"w": torch.arange(6, dtype=torch.float64).reshape(2, 3), "half": torch.tensor([1.5, -2.0], dtype=torch.bfloat16),
             "count": torch.tensor(3), "flags": torch.tensor([True, False])}
    encoder = Encoder(tensors=True)
    tree = encoder.encode([state, torch.float32, torch.Size([2, 3]), on_device(torch.zeros(2), "cuda")])
    assert all(blob.startswith(b"\x93NUMPY") for blob in encoder.blobs)  # .npy, never a pickle
    back, dtype, size, moved = Decoder(encoder.blobs, tensors="harness").decode(tree)
    assert dtype is torch.float32 and size == (2, 3)
    for key, value in state.items():
        assert back[key].dtype == value.dtype and torch.equal(back[key], value), key
    assert device_of(moved) == "cuda" and moved.device.type == "cpu", "the harness never moves a tensor to a GPU"
    with pytest.raises(ProtocolError):
        Decoder(encoder.blobs).decode(tree)  # a NumPy assignment's codec has no tensors
    assert "tensor" not in str(Encoder(on_other=lambda obj: {"~": "handle", "id": 1, "type": "x"}).encode([torch.zeros(1)]))


@pytest.fixture
def remote(tmp_path):
    root = tmp_path / "solutions" / "tiny"
    root.mkdir(parents=True)
    (root / "assignment.toml").write_text(TOML)
    source = tmp_path / "src"
    source.mkdir()
    (source / "tiny.py").write_text(STUDENT)
    submission = RemoteSubmission.open(source, load_spec(root))
    yield submission
    submission.close()


@pytest.mark.slow
def test_a_module_stays_in_the_worker_and_is_used_like_the_module(remote):
    block = remote.Scale(4)
    assert isinstance(block, RemoteObject) and block.type_name == "Scale"
    assert block.expansion == 3 and block.skip is None
    assert isinstance(block.bn, RemoteObject)
    block.to(torch.float64)
    state = block.state_dict()
    assert set(state) == {"weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"}
    assert state["weight"].dtype == torch.float64 and device_of(state["weight"]) == "cpu"
    state["weight"] = torch.full((4,), 2.0, dtype=torch.float64)
    block.load_state_dict(state)
    block.train()
    x = torch.randn(5, 4, dtype=torch.float64)
    out = block(x)
    expected = 2.0 * torch.nn.functional.batch_norm(x, None, None, training=True)
    assert torch.allclose(out, expected) and out.dtype == torch.float64
    block.eval()
    running_mean, running_var = 0.1 * x.mean(0), 0.9 + 0.1 * x.var(0, unbiased=True)  # torch's momentum 0.1, one step
    assert torch.allclose(block(x), 2.0 * (x - running_mean) / torch.sqrt(running_var + 1e-5))
    assert torch.allclose(block.forward(x), block(x))
    assert remote.state_of(block)["bn.num_batches_tracked"].item() == 1
    assert torch.equal(remote.double(torch.tensor([1, 2])), torch.tensor([2, 4]))


@pytest.mark.slow
def test_asking_for_a_gpu_that_is_absent_is_a_grader_fault(tmp_path):
    from autograder.errors import GraderFault

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    root = tmp_path / "solutions" / "tiny"
    root.mkdir(parents=True)
    (root / "assignment.toml").write_text(TOML)
    source = tmp_path / "src"
    source.mkdir()
    (source / "tiny.py").write_text(STUDENT)
    with pytest.raises(GraderFault, match="no CUDA device"):
        RemoteSubmission.open(source, load_spec(root), gpu=True)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_on_a_gpu_a_tensor_made_on_the_cpu_inside_forward_is_named(remote):
    with pytest.raises(StudentCodeError, match="device"):
        remote.sneaky_cpu_tensor(on_device(torch.zeros(3), "cuda"))
    assert device_of(remote.double(on_device(torch.zeros(3), "cuda"))).startswith("cuda")


def test_a_numpy_assignment_still_refuses_tensors(tmp_path, toy_spec):
    source = tmp_path / "src"
    source.mkdir()
    (source / "toy.py").write_text("import numpy as np\n\ndef scale_forward(x, f):\n    return x * f, None\n")
    submission = RemoteSubmission.open(source, toy_spec)
    try:
        with pytest.raises(TypeError, match="cannot cross"):
            submission.scale_forward(torch.zeros(2), 2.0)
        np.testing.assert_array_equal(submission.scale_forward(np.ones(2), 2.0)[0], [2.0, 2.0])
    finally:
        submission.close()


