"""Grader operations beside a torch module (autograder.torch_ops), their in-process entry point
(LocalSubmission.grader_op) and the test-side helpers of autograder.testing.torch_modules."""

from __future__ import annotations

import types

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from autograder.harness.local import CallTimedOut, LocalSubmission  # noqa: E402
from autograder.testing.torch_modules import device_of, on_device, tensor_values  # noqa: E402
from autograder.torch_ops import (GRADER_OPS, build_counting_module, buffer_info, forward_backward, forward_with_input,  # noqa: E402
                                  parameter_info, strict_float_math)


class Unused(nn.Module):
    """conv -> bn, plus a parameter forward never touches."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(3)
        self.spare = nn.Parameter(torch.ones(4))

    def forward(self, x):
        return self.bn(self.conv(x))


class InPlace(nn.Module):
    def forward(self, x):
        x.mul_(2)
        return x + 1


def test_forward_backward_matches_autograd_and_leaves_the_input_alone():
    torch.manual_seed(0)
    module = Unused().double()
    x = torch.randn(2, 2, 5, 4, dtype=torch.float64)
    dout = torch.randn(2, 3, 5, 4, dtype=torch.float64)
    before = x.clone()
    out, dx, grads = forward_backward(module, x, dout)

    twin = Unused().double()
    twin.load_state_dict(module.state_dict())  # train mode: the output does not depend on the running statistics
    x2 = x.clone().requires_grad_(True)
    expected = twin(x2)
    expected.backward(dout)
    assert torch.equal(x, before) and not x.requires_grad
    assert torch.allclose(out, expected) and not out.requires_grad
    assert torch.allclose(dx, x2.grad)
    assert list(grads) == ["spare", "conv.weight", "bn.weight", "bn.bias"]  # named_parameters() order: own first
    assert torch.allclose(grads["conv.weight"], twin.conv.weight.grad) and grads["spare"] is None


def test_forward_backward_clears_gradients_of_earlier_calls():
    module = nn.Linear(3, 2).double()
    x, dout = torch.ones(4, 3, dtype=torch.float64), torch.ones(4, 2, dtype=torch.float64)
    _, _, first = forward_backward(module, x, dout)
    _, _, second = forward_backward(module, x, dout)
    assert torch.equal(first["weight"], second["weight"])


def test_forward_backward_runs_no_backward_on_a_wrong_output():
    module = nn.Conv2d(1, 2, 1).double()
    x = torch.ones(1, 1, 3, 3, dtype=torch.float64)
    out, dx, grads = forward_backward(module, x, torch.ones(1, 3, 3, 3, dtype=torch.float64))
    assert tuple(out.shape) == (1, 2, 3, 3) and dx is None and grads == {}
    out, dx, grads = forward_backward(module, x, torch.ones(1, 2, 3, 3, dtype=torch.float32))  # dtype differs
    assert dx is None and grads == {}


def test_forward_with_input_shows_an_in_place_change():
    x = torch.arange(4.0)
    out, after = forward_with_input(InPlace(), x)
    assert torch.equal(x, torch.arange(4.0)), "the caller's tensor is never touched"
    assert torch.equal(after, 2 * torch.arange(4.0)) and torch.equal(out, 2 * torch.arange(4.0) + 1)
    out, after = forward_with_input(nn.ReLU(), x - 2)
    assert torch.equal(after, x - 2)


def test_parameter_and_buffer_info():
    module = Unused()
    module.spare.requires_grad_(False)
    assert parameter_info(module) == [("spare", (4,), False, "torch.float32", "cpu"), ("conv.weight", (3, 2, 3, 3), True, "torch.float32", "cpu"),
                                      ("bn.weight", (3,), True, "torch.float32", "cpu"), ("bn.bias", (3,), True, "torch.float32", "cpu")]
    assert buffer_info(module.double()) == [("bn.running_mean", (3,), "torch.float64", "cpu"), ("bn.running_var", (3,), "torch.float64", "cpu"),
                                            ("bn.num_batches_tracked", (), "torch.int64", "cpu")]


def test_counting_module_ties_shares_and_freezes():
    layers = [("linear", 4, 4, True), ("linear", 4, 4, False), ("conv", 4, 6, (1, 3), 2, True), ("bn", 6), ("same", 2)]
    module = build_counting_module(layers, ties=[(0, 1)], frozen=[3])
    assert module[1].weight is module[0].weight and module[4] is module[2]
    assert not module[3].weight.requires_grad and module[0].weight.requires_grad
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    assert trainable == (16 + 4) + (6 * 2 * 3 + 6)
    every_use = sum(p.numel() for _, p in module.named_parameters(remove_duplicate=False) if p.requires_grad)
    assert every_use == trainable + 16 + (6 * 2 * 3 + 6)
    with pytest.raises(ValueError, match="cannot tie"):
        build_counting_module([("linear", 4, 4, True), ("linear", 4, 5, True)], ties=[(0, 1)])
    with pytest.raises(ValueError, match="unknown layer kind"):
        build_counting_module([("lstm", 4)])


def test_strict_float_math_turns_tf32_off_and_reports_versions():
    settings = strict_float_math()
    assert settings["torch"] == torch.__version__
    assert not settings["tf32_matmul"] and not settings["tf32_cudnn"] and settings["cudnn_deterministic"]
    assert not torch.backends.cuda.matmul.allow_tf32 and not torch.backends.cudnn.allow_tf32


def test_local_submission_runs_only_whitelisted_operations():
    submission = LocalSubmission(types.SimpleNamespace(), call_timeout_s=5)
    assert submission.grader_op("parameter_info", nn.Linear(2, 1)) == [("weight", (1, 2), True, "torch.float32", "cpu"),
                                                                        ("bias", (1,), True, "torch.float32", "cpu")]
    with pytest.raises(ValueError, match="unknown grader operation 'eval'"):
        submission.grader_op("eval", "1 + 1")
    assert set(GRADER_OPS) == {"forward_backward", "forward_with_input", "parameter_info", "buffer_info", "strict_float_math",
                               "build_counting_module"}


def test_local_grader_op_applies_the_call_time_limit():
    class Endless(nn.Module):
        def forward(self, x):
            while True:
                pass

    submission = LocalSubmission(types.SimpleNamespace(), call_timeout_s=0.3)
    with pytest.raises(CallTimedOut, match="forward_with_input"):
        submission.grader_op("forward_with_input", Endless(), torch.zeros(1))


def test_torch_modules_helpers():
    x = torch.arange(3.0)
    copy = on_device(x, "cpu")
    copy.add_(1)
    assert torch.equal(x, torch.arange(3.0)) and device_of(copy) == "cpu"
    values = tensor_values(torch.ones(2, dtype=torch.float64, requires_grad=True) * 2, "out")
    assert values.dtype.name == "float64" and values.tolist() == [2.0, 2.0]
    with pytest.raises(AssertionError, match="out: expected a torch.Tensor, got tuple"):
        tensor_values((x, x), "out")
