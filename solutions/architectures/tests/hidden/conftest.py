"""Harness-side reference and checks for the architectures hidden tests.

Every block is written here *functionally* in float64 (``F.conv2d``, ``F.batch_norm``,
``F.max_pool2d``, ...), driven by the same state dict the student's module is given
with ``load_state_dict(strict=True)``, so the reference shares no code with the
student's classes. The student's module lives with the student's code (in the worker
when grading): tests build it through ``submission``, move it with ``.to``, and get
tensors back as values.

Tolerances (API.md): float64 ``rtol=1e-6, atol=1e-8``; float32 and CUDA
``rtol=1e-4, atol=1e-5`` against the float64 reference evaluated on the same
float32-rounded weights and inputs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
from collections.abc import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.testing import assert_close
from autograder.testing.torch_modules import device_of, on_device, tensor_values

FLOAT64 = {"rtol": 1e-6, "atol": 1e-8}
FLOAT32 = {"rtol": 1e-4, "atol": 1e-5}
BN_BUFFERS = ("running_mean", "running_var", "num_batches_tracked")

DEVICE_ADVICE = (" The module and its input are on the GPU: a tensor made inside forward without device=x.device "
                 "(torch.zeros(...), torch.tensor(...), torch.arange(...)) stays on the CPU. Make it with "
                 "device=x.device, dtype=x.dtype, or use torch.zeros_like(x) and friends.")


# --------------------------------------------------------------------------- state-dict names and shapes


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def conv_keys(name: str, cin: int, cout: int, kernel, groups: int = 1, bias: bool = False) -> dict:
    """State-dict entries of ``nn.Conv2d``: ``name.weight`` (cout, cin/groups, kh, kw) [+ ``name.bias`` (cout,)]."""
    kh, kw = _pair(kernel)
    keys = {f"{name}.weight": (cout, cin // groups, kh, kw)}
    if bias:
        keys[f"{name}.bias"] = (cout,)
    return keys


def bn_keys(name: str, channels: int) -> dict:
    """State-dict entries of ``nn.BatchNorm2d(channels)``: weight, bias, running_mean, running_var (C,), num_batches_tracked ()."""
    return {f"{name}.weight": (channels,), f"{name}.bias": (channels,), f"{name}.running_mean": (channels,),
            f"{name}.running_var": (channels,), f"{name}.num_batches_tracked": ()}


def is_buffer(key: str) -> bool:
    return key.rsplit(".", 1)[-1] in BN_BUFFERS


# --------------------------------------------------------------------------- functional float64 layers


def conv(sd: dict, name: str, x, stride=1, padding=0, groups=1):
    """``F.conv2d`` with ``sd[name.weight]`` and, when present, ``sd[name.bias]``."""
    return F.conv2d(x, sd[f"{name}.weight"], sd.get(f"{name}.bias"), stride=stride, padding=padding, groups=groups)


def bn(sd: dict, name: str, x, training: bool):
    """``F.batch_norm`` with torch's defaults; in training mode it updates ``sd``'s running statistics in place."""
    return F.batch_norm(x, sd[f"{name}.running_mean"], sd[f"{name}.running_var"], sd[f"{name}.weight"], sd[f"{name}.bias"],
                        training=training, momentum=0.1, eps=1e-5)


def basic_block_forward(sd, x, training, *, stride, relu_before_sum=False, stride_on_conv2=False):
    identity = x
    if "downsample.0.weight" in sd:
        identity = bn(sd, "downsample.1", conv(sd, "downsample.0", x, stride=stride), training)
    out = F.relu(bn(sd, "bn1", conv(sd, "conv1", x, stride=1 if stride_on_conv2 else stride, padding=1), training))
    out = bn(sd, "bn2", conv(sd, "conv2", out, stride=stride if stride_on_conv2 else 1, padding=1), training)
    return F.relu(out) + identity if relu_before_sum else F.relu(out + identity)


def bottleneck_forward(sd, x, training, *, stride, groups, stride_on_conv1=False):
    identity = x
    if "downsample.0.weight" in sd:
        identity = bn(sd, "downsample.1", conv(sd, "downsample.0", x, stride=stride), training)
    out = F.relu(bn(sd, "bn1", conv(sd, "conv1", x, stride=stride if stride_on_conv1 else 1), training))
    out = F.relu(bn(sd, "bn2", conv(sd, "conv2", out, stride=1 if stride_on_conv1 else stride, padding=1, groups=groups), training))
    out = bn(sd, "bn3", conv(sd, "conv3", out), training)
    return F.relu(out + identity)


def preact_block_forward(sd, x, training, *, stride, relu_after_sum=False, shortcut_from_x=False):
    pre = F.relu(bn(sd, "bn1", x, training))
    shortcut = x
    if "shortcut.weight" in sd:
        shortcut = conv(sd, "shortcut", x if shortcut_from_x else pre, stride=stride)
    out = conv(sd, "conv1", pre, stride=stride, padding=1)
    out = conv(sd, "conv2", F.relu(bn(sd, "bn2", out, training)), padding=1)
    return F.relu(out + shortcut) if relu_after_sum else out + shortcut


def inception_forward(sd, x, training, *, order=(1, 2, 3, 4), avg_pool=False):
    branches = {
        1: F.relu(conv(sd, "branch1.0", x)),
        2: F.relu(conv(sd, "branch2.2", F.relu(conv(sd, "branch2.0", x)), padding=1)),
        3: F.relu(conv(sd, "branch3.2", F.relu(conv(sd, "branch3.0", x)), padding=2)),
        4: F.relu(conv(sd, "branch4.1", (F.avg_pool2d if avg_pool else F.max_pool2d)(x, 3, stride=1, padding=1))),
    }
    return torch.cat([branches[i] for i in order], dim=1)


def factorized_forward(sd, x, training, *, swapped_padding=False):
    first, second = ((3, 0), (0, 3)) if swapped_padding else ((0, 3), (3, 0))
    return F.relu(conv(sd, "conv7x1", F.relu(conv(sd, "conv1x7", x, padding=first)), padding=second))


def dense_block_forward(sd, x, training, *, num_layers, newest_first=False):
    features = [x]
    for i in range(1, num_layers + 1):
        name = f"denselayer{i}"
        out = conv(sd, f"{name}.conv1", F.relu(bn(sd, f"{name}.norm1", torch.cat(features, dim=1), training)))
        features.append(conv(sd, f"{name}.conv2", F.relu(bn(sd, f"{name}.norm2", out, training)), padding=1))
    return torch.cat(features[::-1] if newest_first else features, dim=1)


def depthwise_separable_forward(sd, x, training, *, stride, in_channels):
    out = F.relu(bn(sd, "bn1", conv(sd, "depthwise", x, stride=stride, padding=1, groups=in_channels), training))
    return F.relu(bn(sd, "bn2", conv(sd, "pointwise", out), training))


# --------------------------------------------------------------------------- one configuration of one class


@dataclasses.dataclass
class Block:
    """How to build one configuration of a student class, its state-dict entries and its float64 reference.

    ``forward(sd, x, training) -> out``: the reference on a state dict of float64 tensors
    (running statistics updated in place in training mode). ``hints``: description of a
    known mistake -> the forward that mistake computes (for the failure message).
    """

    cls: str
    args: tuple
    kwargs: dict
    shapes: dict
    forward: Callable
    in_channels: int
    hints: dict = dataclasses.field(default_factory=dict)

    @property
    def call(self) -> str:
        """``BasicBlock(4, 8, stride=2)``: how the test built it, for messages."""
        arguments = [str(a) for a in self.args] + [f"{k}={v}" for k, v in self.kwargs.items()]
        return f"{self.cls}({', '.join(arguments)})"

    @property
    def parameter_names(self) -> list[str]:
        return [key for key in self.shapes if not is_buffer(key)]

    @property
    def norms(self) -> list[str]:
        """Prefixes of the batch norms (``bn1``, ``downsample.1``, ``denselayer2.norm1``)."""
        return [key.rsplit(".", 1)[0] for key in self.shapes if key.endswith(".running_mean")]


def basic_block(cin, cout, stride=1) -> Block:
    shapes = {**conv_keys("conv1", cin, cout, 3), **bn_keys("bn1", cout), **conv_keys("conv2", cout, cout, 3), **bn_keys("bn2", cout)}
    if stride != 1 or cin != cout:
        shapes.update({**conv_keys("downsample.0", cin, cout, 1), **bn_keys("downsample.1", cout)})
    forward = functools.partial(basic_block_forward, stride=stride)
    hints = {"applied the last ReLU before adding the shortcut (ResNet v1 adds first: relu(bn2(...) + shortcut))":
             functools.partial(forward, relu_before_sum=True)}
    if stride != 1:
        hints["put the stride on conv2 instead of conv1"] = functools.partial(forward, stride_on_conv2=True)
    return Block("BasicBlock", (cin, cout), {"stride": stride}, shapes, forward, cin, hints)


def bottleneck(cin, planes, stride=1, groups=1, base_width=64) -> Block:
    width = int(planes * base_width / 64) * groups
    cout = planes * 4
    shapes = {**conv_keys("conv1", cin, width, 1), **bn_keys("bn1", width), **conv_keys("conv2", width, width, 3, groups),
              **bn_keys("bn2", width), **conv_keys("conv3", width, cout, 1), **bn_keys("bn3", cout)}
    if stride != 1 or cin != cout:
        shapes.update({**conv_keys("downsample.0", cin, cout, 1), **bn_keys("downsample.1", cout)})
    forward = functools.partial(bottleneck_forward, stride=stride, groups=groups)
    hints = {}
    if stride != 1:
        hints["put the stride on the first 1x1 convolution (ResNet v1); torchvision's v1.5 strides the 3x3 conv2"] = \
            functools.partial(forward, stride_on_conv1=True)
    return Block("Bottleneck", (cin, planes), {"stride": stride, "groups": groups, "base_width": base_width}, shapes, forward, cin, hints)


def preact_block(cin, cout, stride=1) -> Block:
    shapes = {**bn_keys("bn1", cin), **conv_keys("conv1", cin, cout, 3), **bn_keys("bn2", cout), **conv_keys("conv2", cout, cout, 3)}
    if stride != 1 or cin != cout:
        shapes.update(conv_keys("shortcut", cin, cout, 1))
    forward = functools.partial(preact_block_forward, stride=stride)
    hints = {"applied a ReLU after the sum (ResNet v2 leaves the sum alone, so the identity path stays clean)":
             functools.partial(forward, relu_after_sum=True)}
    if "shortcut.weight" in shapes:
        hints["applied the projection shortcut to the raw x; ResNet v2 applies it to relu(bn1(x))"] = \
            functools.partial(forward, shortcut_from_x=True)
    return Block("PreActBlock", (cin, cout), {"stride": stride}, shapes, forward, cin, hints)


def inception(cin, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj) -> Block:
    shapes = {**conv_keys("branch1.0", cin, ch1x1, 1, bias=True),
              **conv_keys("branch2.0", cin, ch3x3red, 1, bias=True), **conv_keys("branch2.2", ch3x3red, ch3x3, 3, bias=True),
              **conv_keys("branch3.0", cin, ch5x5red, 1, bias=True), **conv_keys("branch3.2", ch5x5red, ch5x5, 5, bias=True),
              **conv_keys("branch4.1", cin, pool_proj, 1, bias=True)}
    hints = {f"concatenated the branches in the order {', '.join(f'branch{i}' for i in order)} (the order is branch1, branch2, "
             "branch3, branch4)": functools.partial(inception_forward, order=order) for order in [(1, 3, 2, 4), (4, 3, 2, 1), (2, 1, 3, 4)]}
    hints["pooled with an average in branch4 (it is a 3x3 max pool, stride 1, padding 1)"] = functools.partial(inception_forward, avg_pool=True)
    return Block("InceptionModule", (cin, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj), {}, shapes, inception_forward, cin, hints)


def factorized(cin, mid, cout) -> Block:
    shapes = {**conv_keys("conv1x7", cin, mid, (1, 7), bias=True), **conv_keys("conv7x1", mid, cout, (7, 1), bias=True)}
    hints = {"swapped the paddings: the (1, 7) kernel pads the width, (0, 3), and the (7, 1) kernel the height, (3, 0)":
             functools.partial(factorized_forward, swapped_padding=True)}
    return Block("Factorized7x7", (cin, mid, cout), {}, shapes, factorized_forward, cin, hints)


def dense_block(cin, growth_rate, num_layers, bn_size=4) -> Block:
    shapes = {}
    inner = bn_size * growth_rate
    for i in range(1, num_layers + 1):
        channels = cin + (i - 1) * growth_rate
        name = f"denselayer{i}"
        shapes.update({**bn_keys(f"{name}.norm1", channels), **conv_keys(f"{name}.conv1", channels, inner, 1),
                       **bn_keys(f"{name}.norm2", inner), **conv_keys(f"{name}.conv2", inner, growth_rate, 3)})
    forward = functools.partial(dense_block_forward, num_layers=num_layers)
    hints = {"concatenated the newest features first (the order is the block input, then layer 1, 2, ...)":
             functools.partial(forward, newest_first=True)}
    kwargs = {"bn_size": bn_size} if bn_size != 4 else {}
    return Block("DenseBlock", (cin, growth_rate, num_layers), kwargs, shapes, forward, cin, hints)


def depthwise_separable(cin, cout, stride=1) -> Block:
    shapes = {**conv_keys("depthwise", cin, cin, 3, groups=cin), **bn_keys("bn1", cin),
              **conv_keys("pointwise", cin, cout, 1), **bn_keys("bn2", cout)}
    forward = functools.partial(depthwise_separable_forward, stride=stride, in_channels=cin)
    return Block("DepthwiseSeparableConv", (cin, cout), {"stride": stride}, shapes, forward, cin)


# --------------------------------------------------------------------------- random weights and inputs


def draw_state(block: Block, rng: np.random.Generator) -> dict:
    """A float64 state dict for ``block`` (CPU tensors): He-scaled conv weights, BN scales around 1,
    non-trivial running statistics, ``num_batches_tracked`` 0."""
    state = {}
    for key, shape in block.shapes.items():
        leaf = key.rsplit(".", 1)[-1]
        if leaf == "num_batches_tracked":
            state[key] = torch.tensor(0, dtype=torch.long)
            continue
        if leaf == "running_mean":
            values = rng.normal(0.0, 0.3, shape)
        elif leaf == "running_var":
            values = rng.uniform(0.5, 2.0, shape)
        elif leaf == "weight" and len(shape) == 1:
            values = rng.uniform(0.5, 1.5, shape)
        elif leaf == "bias":
            values = rng.normal(0.0, 0.3, shape)
        else:
            fan_in = int(np.prod(shape[1:]))
            values = rng.standard_normal(shape) * math.sqrt(2.0 / fan_in)
        state[key] = torch.tensor(values, dtype=torch.float64)
    return state


def draw_input(block: Block, rng: np.random.Generator, n: int | None = None, size: tuple | None = None) -> torch.Tensor:
    """x of shape (n, in_channels, H, W): H odd, W random in 5..9 unless ``size`` is given."""
    n = int(rng.integers(2, 5)) if n is None else n
    h, w = size if size is not None else (2 * int(rng.integers(2, 5)) + 1, int(rng.integers(5, 10)))
    return torch.tensor(rng.standard_normal((n, block.in_channels, h, w)), dtype=torch.float64)


def rounded(state: dict, dtype) -> dict:
    """A copy of ``state`` with every floating tensor rounded to ``dtype`` (kept as that dtype)."""
    return {key: value.to(dtype, copy=True) if value.is_floating_point() else value.clone() for key, value in state.items()}


def as_float64(state: dict) -> dict:
    """A float64 copy of ``state`` (the reference's working copy)."""
    return rounded(state, torch.float64)


# --------------------------------------------------------------------------- the reference


def reference(block: Block, state: dict, x, training: bool):
    """float64 ``block.forward`` on ``x``; ``state`` (float64) is updated in training mode. Returns ``out``."""
    with torch.no_grad():
        return block.forward(state, x.to(torch.float64), training)


def reference_hints(block: Block, state: dict, x, training: bool) -> dict:
    """What each known mistake of ``block`` computes here (on copies: ``state`` is unchanged); a mistake that
    cannot run on this input (a kernel larger than the padded input) is left out."""
    hints = {}
    with torch.no_grad():
        for description, wrong in block.hints.items():
            try:
                hints[description] = wrong(as_float64(state), x.to(torch.float64), training)
            except RuntimeError:
                continue
    return hints


def reference_gradients(block: Block, state: dict, x, dout, training: bool = True):
    """``(out, dx, {parameter name: grad})`` of the float64 reference (``state``'s running statistics updated)."""
    leaves = {key: value.detach().clone().requires_grad_(not is_buffer(key)) if value.is_floating_point() else value
              for key, value in state.items()}
    x = x.detach().to(torch.float64).clone().requires_grad_(True)
    out = block.forward(leaves, x, training)
    out.backward(dout.to(torch.float64))
    for key in state:
        if is_buffer(key):
            state[key] = leaves[key].detach()
    return out.detach(), x.grad, {key: leaves[key].grad for key in block.parameter_names}


# --------------------------------------------------------------------------- talking to the student's module


@contextlib.contextmanager
def student_step(what: str, device: str = "cpu"):
    """Turn an exception of the student's code into a failure saying which step raised it.

    A grader fault and a time-out are left alone (they are not the student's failure
    to explain, and the plugin handles them)."""
    try:
        yield
    except AssertionError:
        raise
    except Exception as exc:  # noqa: BLE001 - any error of student code fails the test with its message
        if type(exc).__name__ == "GraderFault":
            raise
        message = f"{what} raised {type(exc).__name__}: {exc}"
        text = str(exc).lower()
        if device.startswith("cuda") and ("device" in text or "cpu" in text):
            message += "." + DEVICE_ADVICE
        raise AssertionError(message) from None


def construct(submission, block: Block):
    with student_step(f"{block.call}"):
        return getattr(submission, block.cls)(*block.args, **block.kwargs)


def build(submission, block: Block, state: dict, device: str, dtype) -> object:
    """The student's module for ``block`` on ``device`` in ``dtype``, with ``state`` (rounded to ``dtype``) loaded strictly."""
    module = construct(submission, block)
    with student_step(f"{block.call}.to({device!r}, {dtype})", device):
        module.to(device)
        module.to(dtype)
    with student_step(f"{block.call}.load_state_dict(strict=True) with the state-dict names of API.md"):
        module.load_state_dict(rounded(state, dtype), strict=True)
    return module


def check_output(out, expected, name: str, device: str, dtype, tolerance: dict, hints: dict | None = None) -> None:
    """``out`` (returned by the student's code) is a tensor of ``dtype`` on ``device`` matching ``expected``."""
    values = tensor_values(out, name)
    if out.dtype != dtype:
        raise AssertionError(f"{name}: dtype {out.dtype}, expected {dtype}, the dtype of the input and the module "
                             "(a tensor made with a fixed dtype inside forward, or a .float()/.double() conversion?)")
    where = device_of(out)
    if where.split(":")[0] != device.split(":")[0]:
        raise AssertionError(f"{name}: returned on {where}, expected on {device}, the device of the input and the module")
    assert_close(values, expected, name=name, hints=hints, **tolerance)


def tolerance_of(dtype) -> dict:
    return FLOAT64 if dtype == torch.float64 else FLOAT32


def gradient_tolerance(dtype, expected) -> dict:
    """The tolerance of a gradient: a weight's gradient sums products over the batch and the image, and
    behind a train-mode batch norm those sums cancel, so an element can be small while the float32 roundoff
    in it scales with the largest values summed. In float32, ``atol`` is 1e-5 of the gradient's largest
    magnitude (at least 1e-5); float64 keeps its tolerance."""
    if dtype == torch.float64:
        return FLOAT64
    return {"rtol": FLOAT32["rtol"], "atol": FLOAT32["atol"] * max(1.0, float(expected.abs().max()))}


# --------------------------------------------------------------------------- the checks, one per test kind


def check_state_dict(submission, block: Block, device: str) -> None:
    """Names and shapes of ``state_dict()`` are exactly API.md's; every parameter trainable; strict loading works."""
    module = construct(submission, block)
    with student_step(f"{block.call}.to({device!r})", device):
        module.to(device)
    with student_step(f"{block.call}.state_dict()"):
        state = module.state_dict()
    if not isinstance(state, dict):
        raise AssertionError(f"{block.call}.state_dict() returned {type(state).__name__}, expected a dict")
    missing = [key for key in block.shapes if key not in state]
    unexpected = [key for key in state if key not in block.shapes]
    if missing or unexpected:
        raise AssertionError(f"{block.call}: state_dict() keys differ from API.md's names: "
                             + (f"missing {missing}" if missing else "")
                             + ("; " if missing and unexpected else "")
                             + (f"unexpected {unexpected}" if unexpected else "")
                             + " (submodule names and order inside nn.Sequential are part of the contract; "
                               "convolutions have bias=False except in InceptionModule and Factorized7x7)")
    for key, shape in block.shapes.items():
        got = tuple(tensor_values(state[key], key).shape)
        if got != tuple(shape):
            raise AssertionError(f"{block.call}: {key} has shape {got}, expected {tuple(shape)}")
    with student_step("reading the parameters"):
        parameters = submission.grader_op("parameter_info", module)
    names = [name for name, *_ in parameters]
    if sorted(names) != sorted(block.parameter_names):
        raise AssertionError(f"{block.call}: parameters {sorted(names)}, expected {sorted(block.parameter_names)}")
    frozen = [name for name, _, requires_grad, *_ in parameters if not requires_grad]
    if frozen:
        raise AssertionError(f"{block.call}: parameters {frozen} do not require grad; every parameter is trainable")
    count = sum(math.prod(shape) for _, shape, *_ in parameters)
    expected = sum(math.prod(block.shapes[name]) for name in block.parameter_names)
    if count != expected:
        raise AssertionError(f"{block.call}: {count} parameters, expected {expected}")
    with student_step(f"{block.call}.load_state_dict(strict=True) with the state-dict names of API.md"):
        module.load_state_dict(rounded(draw_state(block, np.random.default_rng(0)), torch.float32), strict=True)


def check_train_steps(submission, block: Block, rng, device: str, dtype, steps: int = 3) -> None:
    """``steps`` forward passes in train mode (batch statistics) on new inputs, then the running statistics."""
    state = draw_state(block, rng)
    module = build(submission, block, state, device, dtype)
    expected_state = as_float64(rounded(state, dtype))
    tolerance = tolerance_of(dtype)
    with student_step(f"{block.call}.train()"):
        module.train()
    for step in range(1, steps + 1):
        x = draw_input(block, rng).to(dtype)
        hints = reference_hints(block, expected_state, x, True)
        expected = reference(block, expected_state, x, True)
        with student_step(f"{block.call} forward (train mode, step {step})", device):
            out = module(on_device(x, device))
        check_output(out, expected, f"{block.call} output, train mode, step {step}", device, dtype, tolerance, hints)
    check_running_statistics(module, block, expected_state, steps, tolerance)


def check_running_statistics(module, block: Block, expected_state: dict, steps: int, tolerance: dict) -> None:
    with student_step(f"{block.call}.state_dict()"):
        state = module.state_dict()
    for norm in block.norms:
        for statistic in ("running_mean", "running_var"):
            key = f"{norm}.{statistic}"
            if key not in state:
                raise AssertionError(f"{block.call}: state_dict() has no {key}")
            assert_close(tensor_values(state[key], key), expected_state[key], name=f"{key} after {steps} train steps", **tolerance)


def check_eval(submission, block: Block, rng, device: str, dtype, batch_sizes=(1, 3)) -> None:
    """Eval mode uses the running statistics: a batch of 1 works and gives the same rows as in a larger batch."""
    state = draw_state(block, rng)
    module = build(submission, block, state, device, dtype)
    expected_state = as_float64(rounded(state, dtype))
    with student_step(f"{block.call}.eval()"):
        module.eval()
    for n in batch_sizes:
        x = draw_input(block, rng, n=n).to(dtype)
        hints = reference_hints(block, expected_state, x, False)
        hints["normalised with the batch statistics in eval mode (eval uses running_mean and running_var)"] = \
            reference(block, as_float64(expected_state), x, True)
        expected = reference(block, expected_state, x, False)
        with student_step(f"{block.call} forward (eval mode, batch of {n})", device):
            out = module(on_device(x, device))
        check_output(out, expected, f"{block.call} output, eval mode, batch of {n}", device, dtype, tolerance_of(dtype), hints)


def check_gradients(submission, block: Block, rng, device: str, dtype, training: bool = True) -> None:
    """Input and parameter gradients of one forward/backward (train mode: through the batch statistics)."""
    state = draw_state(block, rng)
    module = build(submission, block, state, device, dtype)
    expected_state = as_float64(rounded(state, dtype))
    mode = "train" if training else "eval"
    with student_step(f"{block.call}.{mode}()"):
        module.train() if training else module.eval()
    x = draw_input(block, rng).to(dtype)
    expected_out = reference(block, as_float64(expected_state), x, training)
    dout = torch.tensor(rng.standard_normal(tuple(expected_out.shape)), dtype=torch.float64).to(dtype)
    out_ref, dx_ref, grads_ref = reference_gradients(block, expected_state, x, dout, training)
    with student_step(f"{block.call} forward and backward ({mode} mode)", device):
        out, dx, grads = submission.grader_op("forward_backward", module, on_device(x, device), on_device(dout, device))
    tolerance = tolerance_of(dtype)
    check_output(out, out_ref, f"{block.call} output ({mode} mode)", device, dtype, tolerance)
    if dx is None:
        raise AssertionError(f"{block.call}: the output does not depend on the input through autograd (no gradient reached x)")
    check_output(dx, dx_ref, f"{block.call} input gradient dx ({mode} mode)", device, dtype, gradient_tolerance(dtype, dx_ref))
    for name in block.parameter_names:
        if grads.get(name) is None:
            raise AssertionError(f"{block.call}: parameter {name} got no gradient: is it used in forward?")
        check_output(grads[name], grads_ref[name], f"{block.call} gradient of {name} ({mode} mode)", device, dtype,
                     gradient_tolerance(dtype, grads_ref[name]))


def check_input_untouched(submission, block: Block, rng, device: str, dtype) -> None:
    """forward leaves its input as it was, in train and in eval mode."""
    state = draw_state(block, rng)
    module = build(submission, block, state, device, dtype)
    expected_state = as_float64(rounded(state, dtype))
    for mode in ("train", "eval"):
        with student_step(f"{block.call}.{mode}()"):
            getattr(module, mode)()
        x = draw_input(block, rng).to(dtype)
        expected = reference(block, expected_state, x, mode == "train")
        with student_step(f"{block.call} forward ({mode} mode)", device):
            out, x_after = submission.grader_op("forward_with_input", module, on_device(x, device))
        check_output(out, expected, f"{block.call} output ({mode} mode)", device, dtype, tolerance_of(dtype))
        after = tensor_values(x_after, "the input after forward")
        if after.shape != tuple(x.shape) or not np.array_equal(after, x.numpy()):
            raise AssertionError(f"{block.call}: forward modified its input in place ({mode} mode); the caller's x must stay as it "
                                 "was (an in-place op on x: x += ..., x.relu_(), nn.ReLU(inplace=True) applied to x?)")


def check_everything_on(submission, block: Block, rng, device: str) -> None:
    """float32 and float64 on ``device``: train steps and running statistics, gradients, eval."""
    for dtype in (torch.float32, torch.float64):
        check_train_steps(submission, block, rng, device, dtype, steps=2)
        check_gradients(submission, block, rng, device, dtype)
        check_eval(submission, block, rng, device, dtype, batch_sizes=(1,))


CHECKS = dict(
    state_dict=check_state_dict,
    train_steps=check_train_steps,
    eval=check_eval,
    gradients=check_gradients,
    input_untouched=check_input_untouched,
    everything_on=check_everything_on,
)


@pytest.fixture
def arch():
    """The block builders and checks above, for the test modules (``arch.eval(...)``, ``arch.basic_block(...)``)."""
    import types

    return types.SimpleNamespace(
        **CHECKS, basic_block=basic_block, bottleneck=bottleneck, preact_block=preact_block, inception=inception,
        factorized=factorized, dense_block=dense_block, depthwise_separable=depthwise_separable)


# --------------------------------------------------------------------------- devices


def _strict_math(submission) -> None:
    """TF32 off where the student's module runs (in the worker when grading); the grader's setting, checked."""
    settings = submission.grader_op("strict_float_math")
    if settings["tf32_matmul"] or settings["tf32_cudnn"]:
        raise RuntimeError(f"TF32 is still enabled on the worker's GPU: {settings}")


@pytest.fixture
def device(device, submission) -> str:
    """Where the student's module runs (the plugin's ``device``: ``"cuda"`` when the run was asked for a
    GPU with ``--gpus``, else ``"cpu"``), with TF32 checked off there."""
    if device == "cuda":
        _strict_math(submission)
    return device


@pytest.fixture
def cuda(device) -> str:
    """``"cuda"`` for the GPU tests (marked ``gpu``: not run, as the grader's doing, unless the run asked for a GPU)."""
    if device != "cuda":
        pytest.skip("needs a GPU: grade with --gpus to run the GPU tests")
    return device
