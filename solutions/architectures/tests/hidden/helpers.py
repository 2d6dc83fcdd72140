"""Helpers of the architectures hidden tests: the float64 reference, the mistakes hints name, the checks.

Everything here runs in the trusted harness. Every block is written here *functionally*
in float64 (``F.conv2d``, ``F.batch_norm``, ``F.max_pool2d``, ...), driven by the same
state dict the student's module is given with ``load_state_dict(strict=True)``, so the
reference shares no code with the student's classes. The student's module lives with
the student's code (in the worker when grading): tests build it through ``submission``,
move it with ``.to``, and get tensors back as values.

Reference computations are :func:`~autograder.testing.oracle`\\ s: pure functions of a
forward function, a state dict (tensors, never modified) and an input, computed once per
input within a batch. A *mistake* is the same kind of forward function with one thing
done wrong (``functools.partial(basic_block_forward, relu_before_sum=True)``); the hint
naming it (an id of ``hints.toml``) is shown only when the student's value equals what
that forward computes on the test's own weights and inputs. Mistakes of structure (a
missing batch norm, groups left out) are the state-dict names and shapes they give.

Tolerances (API.md): float64 ``rtol=1e-6, atol=1e-8``; float32 and CUDA
``rtol=1e-4, atol=1e-5`` against the float64 reference evaluated on the same
float32-rounded weights and inputs.

Shapes: inputs ``x`` are ``(N, C, H, W)``; a state dict maps API.md's names to tensors
(conv weights ``(out, in / groups, kh, kw)``, batch-norm vectors ``(C,)``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import math
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from autograder.testing import ComparisonFailure, assert_close, oracle
from autograder.testing.hints import describe_hint
from autograder.testing.torch_modules import device_of, on_device, tensor_values
from autograder.testing.torch_oracles import backpropagate

FLOAT64 = {"rtol": 1e-6, "atol": 1e-8}
FLOAT32 = {"rtol": 1e-4, "atol": 1e-5}
BN_BUFFERS = ("running_mean", "running_var", "num_batches_tracked")
BN_MOMENTUM = 0.1  # torch's default (API.md): the weight of the new batch statistic
BN_EPS = 1e-5  # torch's default (API.md)
KERAS_EPS = 1e-3  # Keras's default
KERAS_MOMENTUM = 0.99  # Keras's default (the weight of the old running value there) passed to torch as it is

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


def unbiased_convs(shapes: dict) -> list[str]:
    """Names of the convolutions of ``shapes`` that have no bias (4-d weights without a ``.bias`` entry)."""
    return [key[:-len(".weight")] for key, shape in shapes.items()
            if key.endswith(".weight") and len(shape) == 4 and f"{key[:-len('.weight')]}.bias" not in shapes]


def with_conv_biases(shapes: dict) -> dict:
    """``shapes`` with a bias on every convolution (``nn.Conv2d``'s default ``bias=True``)."""
    out = dict(shapes)
    for name in unbiased_convs(shapes):
        out[f"{name}.bias"] = (shapes[f"{name}.weight"][0],)
    return out


def without(shapes: dict, prefix: str) -> dict:
    """``shapes`` without the entries under ``prefix`` (``"downsample."``, ``"downsample.1."``)."""
    return {key: shape for key, shape in shapes.items() if not key.startswith(prefix)}


# --------------------------------------------------------------------------- functional float64 layers


def conv(sd: dict, name: str, x, stride=1, padding=0, groups=1):
    """``F.conv2d`` with ``sd[name.weight]`` and, when present, ``sd[name.bias]``."""
    return F.conv2d(x, sd[f"{name}.weight"], sd.get(f"{name}.bias"), stride=stride, padding=padding, groups=groups)


def bn(sd: dict, name: str, x, training: bool, momentum: float = BN_MOMENTUM, eps: float = BN_EPS,
       batch_statistics_in_eval: bool = False):
    """``F.batch_norm`` with torch's defaults; in training mode it updates ``sd``'s running statistics in place.

    ``momentum``, ``eps``, ``batch_statistics_in_eval``: the mistakes hints name (Keras's 0.99 and 1e-3, batch
    statistics in eval mode)."""
    return F.batch_norm(x, sd[f"{name}.running_mean"], sd[f"{name}.running_var"], sd[f"{name}.weight"], sd[f"{name}.bias"],
                        training=training or batch_statistics_in_eval, momentum=momentum, eps=eps)


def basic_block_forward(sd, x, training, *, stride, norm=bn, relu_before_sum=False, stride_on_conv2=False):
    identity = x
    if "downsample.0.weight" in sd:
        identity = norm(sd, "downsample.1", conv(sd, "downsample.0", x, stride=stride), training)
    out = F.relu(norm(sd, "bn1", conv(sd, "conv1", x, stride=1 if stride_on_conv2 else stride, padding=1), training))
    out = norm(sd, "bn2", conv(sd, "conv2", out, stride=stride if stride_on_conv2 else 1, padding=1), training)
    return F.relu(out) + identity if relu_before_sum else F.relu(out + identity)


def bottleneck_forward(sd, x, training, *, stride, groups, norm=bn, stride_on_conv1=False):
    identity = x
    if "downsample.0.weight" in sd:
        identity = norm(sd, "downsample.1", conv(sd, "downsample.0", x, stride=stride), training)
    out = F.relu(norm(sd, "bn1", conv(sd, "conv1", x, stride=stride if stride_on_conv1 else 1), training))
    out = F.relu(norm(sd, "bn2", conv(sd, "conv2", out, stride=1 if stride_on_conv1 else stride, padding=1, groups=groups), training))
    out = norm(sd, "bn3", conv(sd, "conv3", out), training)
    return F.relu(out + identity)


def preact_block_forward(sd, x, training, *, stride, norm=bn, relu_after_sum=False, shortcut_from_x=False):
    pre = F.relu(norm(sd, "bn1", x, training))
    shortcut = x
    if "shortcut.weight" in sd:
        shortcut = conv(sd, "shortcut", x if shortcut_from_x else pre, stride=stride)
    out = conv(sd, "conv1", pre, stride=stride, padding=1)
    out = conv(sd, "conv2", F.relu(norm(sd, "bn2", out, training)), padding=1)
    return F.relu(out + shortcut) if relu_after_sum else out + shortcut


def inception_branches(sd, x, *, avg_pool=False) -> list:
    """The four branch outputs, in API.md's order."""
    pool = F.avg_pool2d if avg_pool else F.max_pool2d
    return [F.relu(conv(sd, "branch1.0", x)),
            F.relu(conv(sd, "branch2.2", F.relu(conv(sd, "branch2.0", x)), padding=1)),
            F.relu(conv(sd, "branch3.2", F.relu(conv(sd, "branch3.0", x)), padding=2)),
            F.relu(conv(sd, "branch4.1", pool(x, 3, stride=1, padding=1)))]


def inception_forward(sd, x, training, *, norm=bn, avg_pool=False):
    return torch.cat(inception_branches(sd, x, avg_pool=avg_pool), dim=1)


def inception_other_orders(sd, x, training, *, norm=bn) -> list:
    """The mistake "another branch order": one output per other order of the four branches (23 candidates)."""
    branches = inception_branches(sd, x)
    return [torch.cat([branches[i] for i in order], dim=1) for order in itertools.permutations(range(4)) if order != (0, 1, 2, 3)]


def factorized_forward(sd, x, training, *, norm=bn, swapped_padding=False):
    first, second = ((3, 0), (0, 3)) if swapped_padding else ((0, 3), (3, 0))
    return F.relu(conv(sd, "conv7x1", F.relu(conv(sd, "conv1x7", x, padding=first)), padding=second))


def dense_block_forward(sd, x, training, *, num_layers, norm=bn, newest_first=False):
    features = [x]
    for i in range(1, num_layers + 1):
        name = f"denselayer{i}"
        out = conv(sd, f"{name}.conv1", F.relu(norm(sd, f"{name}.norm1", torch.cat(features, dim=1), training)))
        features.append(conv(sd, f"{name}.conv2", F.relu(norm(sd, f"{name}.norm2", out, training)), padding=1))
    return torch.cat(features[::-1] if newest_first else features, dim=1)


def depthwise_separable_forward(sd, x, training, *, stride, in_channels, norm=bn):
    out = F.relu(norm(sd, "bn1", conv(sd, "depthwise", x, stride=stride, padding=1, groups=in_channels), training))
    return F.relu(norm(sd, "bn2", conv(sd, "pointwise", out), training))


# --------------------------------------------------------------------------- one configuration of one class


@dataclasses.dataclass
class Block:
    """How to build one configuration of a student class, its state-dict entries, its float64 reference
    and the mistakes the hints of ``hints.toml`` name.

    ``forward(sd, x, training) -> out``: the reference on a state dict of float64 tensors
    (running statistics updated in place in training mode). ``mistakes``: hint id -> the
    forward that mistake computes (the same signature; one returning a list gives several
    candidates, any of which is that mistake). ``structure_mistakes``: hint id -> the
    state-dict names and shapes that mistake gives. ``widths``: the range of input widths.
    """

    cls: str
    args: tuple
    kwargs: dict
    shapes: dict
    forward: Callable
    in_channels: int
    mistakes: dict = dataclasses.field(default_factory=dict)
    structure_mistakes: dict = dataclasses.field(default_factory=dict)
    widths: tuple = (5, 9)  # the input widths drawn, inclusive

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

    def with_norm(self, **options) -> Callable:
        """The reference forward with batch norm called with ``options`` (a mistake of the batch norms)."""
        return functools.partial(self.forward, norm=functools.partial(bn, **options))


def _with_bias_mistake(shapes: dict, structure: dict) -> dict:
    """Adds the "bias=True on a convolution followed by a batch norm" structure to ``structure``."""
    return {**structure, "conv_bias_before_batch_norm": with_conv_biases(shapes)}


def basic_block(cin, cout, stride=1) -> Block:
    shapes = {**conv_keys("conv1", cin, cout, 3), **bn_keys("bn1", cout), **conv_keys("conv2", cout, cout, 3), **bn_keys("bn2", cout)}
    structure = {}
    if stride != 1 or cin != cout:
        shapes.update({**conv_keys("downsample.0", cin, cout, 1), **bn_keys("downsample.1", cout)})
        structure["downsample_without_bn"] = without(shapes, "downsample.1.")
        if cin == cout:
            structure["projection_only_on_channel_change"] = without(shapes, "downsample.")
    forward = functools.partial(basic_block_forward, stride=stride)
    mistakes = {"relu_before_sum": functools.partial(forward, relu_before_sum=True)}
    if stride != 1:
        mistakes["basic_stride_on_conv2"] = functools.partial(forward, stride_on_conv2=True)
    return Block("BasicBlock", (cin, cout), {"stride": stride}, shapes, forward, cin, mistakes, _with_bias_mistake(shapes, structure))


def bottleneck_width(planes, base_width, groups) -> int:
    """torchvision's ``int(planes * base_width / 64) * groups``."""
    return int(planes * base_width / 64) * groups


def _bottleneck_shapes(cin, planes, stride, groups, width, conv2_groups) -> dict:
    cout = planes * 4
    shapes = {**conv_keys("conv1", cin, width, 1), **bn_keys("bn1", width), **conv_keys("conv2", width, width, 3, conv2_groups),
              **bn_keys("bn2", width), **conv_keys("conv3", width, cout, 1), **bn_keys("bn3", cout)}
    if stride != 1 or cin != cout:
        shapes.update({**conv_keys("downsample.0", cin, cout, 1), **bn_keys("downsample.1", cout)})
    return shapes


def bottleneck(cin, planes, stride=1, groups=1, base_width=64) -> Block:
    width = bottleneck_width(planes, base_width, groups)
    shapes = _bottleneck_shapes(cin, planes, stride, groups, width, groups)
    structure = {}
    if groups > 1:
        structure["resnext_groups_ignored"] = _bottleneck_shapes(cin, planes, stride, groups, width, 1)
    # Rounding the width late, int(planes * base_width / 64 * groups), has no hint: where it differs from
    # torchvision's width it is not a multiple of groups, and nn.Conv2d refuses to build conv2.
    if "downsample.0.weight" in shapes:
        structure["downsample_without_bn"] = without(shapes, "downsample.1.")
    forward = functools.partial(bottleneck_forward, stride=stride, groups=groups)
    mistakes = {}
    if stride != 1:
        mistakes["bottleneck_stride_on_conv1"] = functools.partial(forward, stride_on_conv1=True)
    return Block("Bottleneck", (cin, planes), {"stride": stride, "groups": groups, "base_width": base_width}, shapes, forward, cin,
                 mistakes, _with_bias_mistake(shapes, structure))


def preact_block(cin, cout, stride=1) -> Block:
    shapes = {**bn_keys("bn1", cin), **conv_keys("conv1", cin, cout, 3), **bn_keys("bn2", cout), **conv_keys("conv2", cout, cout, 3)}
    structure = {}
    if stride != 1 or cin != cout:
        shapes.update(conv_keys("shortcut", cin, cout, 1))
        if cin == cout:
            structure["projection_only_on_channel_change"] = without(shapes, "shortcut.")
    forward = functools.partial(preact_block_forward, stride=stride)
    mistakes = {"preact_relu_after_sum": functools.partial(forward, relu_after_sum=True)}
    if "shortcut.weight" in shapes:
        mistakes["preact_shortcut_from_raw_x"] = functools.partial(forward, shortcut_from_x=True)
    return Block("PreActBlock", (cin, cout), {"stride": stride}, shapes, forward, cin, mistakes, _with_bias_mistake(shapes, structure))


def _without_biases(shapes: dict) -> dict:
    return {key: shape for key, shape in shapes.items() if not key.endswith(".bias")}


def inception(cin, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj) -> Block:
    shapes = {**conv_keys("branch1.0", cin, ch1x1, 1, bias=True),
              **conv_keys("branch2.0", cin, ch3x3red, 1, bias=True), **conv_keys("branch2.2", ch3x3red, ch3x3, 3, bias=True),
              **conv_keys("branch3.0", cin, ch5x5red, 1, bias=True), **conv_keys("branch3.2", ch5x5red, ch5x5, 5, bias=True),
              **conv_keys("branch4.1", cin, pool_proj, 1, bias=True)}
    mistakes = {"inception_branch_order": inception_other_orders,
                "inception_average_pool": functools.partial(inception_forward, avg_pool=True)}
    # nn.ReLU left out of the Sequentials (applied in forward): branch2.2 becomes branch2.1, branch3.2 branch3.1
    shifted = {key.replace("branch2.2.", "branch2.1.").replace("branch3.2.", "branch3.1."): shape
               for key, shape in shapes.items()}
    return Block("InceptionModule", (cin, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj), {}, shapes, inception_forward, cin,
                 mistakes, {"no_bias_without_batch_norm": _without_biases(shapes), "inception_relu_outside_sequential": shifted})


def factorized(cin, mid, cout, widths=(5, 9)) -> Block:
    """``widths``: images narrower than the 7-wide kernel (5, 6) must work (padding 3); the mistake of swapped
    paddings can only run, and so be named, on images at least 7 wide."""
    shapes = {**conv_keys("conv1x7", cin, mid, (1, 7), bias=True), **conv_keys("conv7x1", mid, cout, (7, 1), bias=True)}
    mistakes = {"factorized_swapped_padding": functools.partial(factorized_forward, swapped_padding=True)}
    return Block("Factorized7x7", (cin, mid, cout), {}, shapes, factorized_forward, cin, mistakes,
                 {"no_bias_without_batch_norm": _without_biases(shapes)}, widths)


def _dense_shapes(cin, growth_rate, num_layers, bn_size, sees_everything=True) -> dict:
    shapes = {}
    inner = bn_size * growth_rate
    for i in range(1, num_layers + 1):
        channels = cin + (i - 1) * growth_rate if sees_everything or i == 1 else growth_rate
        name = f"denselayer{i}"
        shapes.update({**bn_keys(f"{name}.norm1", channels), **conv_keys(f"{name}.conv1", channels, inner, 1),
                       **bn_keys(f"{name}.norm2", inner), **conv_keys(f"{name}.conv2", inner, growth_rate, 3)})
    return shapes


def dense_block(cin, growth_rate, num_layers, bn_size=4) -> Block:
    shapes = _dense_shapes(cin, growth_rate, num_layers, bn_size)
    structure = {}
    if num_layers > 1:
        structure["dense_layer_sees_previous_only"] = _dense_shapes(cin, growth_rate, num_layers, bn_size, sees_everything=False)
    forward = functools.partial(dense_block_forward, num_layers=num_layers)
    mistakes = {"dense_newest_first": functools.partial(forward, newest_first=True)}
    kwargs = {"bn_size": bn_size} if bn_size != 4 else {}
    return Block("DenseBlock", (cin, growth_rate, num_layers), kwargs, shapes, forward, cin, mistakes, _with_bias_mistake(shapes, structure))


def _depthwise_shapes(cin, cout, groups) -> dict:
    return {**conv_keys("depthwise", cin, cin, 3, groups=groups), **bn_keys("bn1", cin),
            **conv_keys("pointwise", cin, cout, 1), **bn_keys("bn2", cout)}


def depthwise_separable(cin, cout, stride=1) -> Block:
    shapes = _depthwise_shapes(cin, cout, cin)
    forward = functools.partial(depthwise_separable_forward, stride=stride, in_channels=cin)
    structure = {"depthwise_groups_ignored": _depthwise_shapes(cin, cout, 1)}
    return Block("DepthwiseSeparableConv", (cin, cout), {"stride": stride}, shapes, forward, cin, {}, _with_bias_mistake(shapes, structure))


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
    """x of shape (n, in_channels, H, W): H odd in 5..9, W random in ``block.widths`` unless ``size`` is given."""
    n = int(rng.integers(2, 5)) if n is None else n
    h, w = size if size is not None else (2 * int(rng.integers(2, 5)) + 1, int(rng.integers(block.widths[0], block.widths[1] + 1)))
    return torch.tensor(rng.standard_normal((n, block.in_channels, h, w)), dtype=torch.float64)


def rounded(state: dict, dtype) -> dict:
    """A copy of ``state`` with every floating tensor rounded to ``dtype`` (kept as that dtype)."""
    return {key: value.to(dtype, copy=True) if value.is_floating_point() else value.clone() for key, value in state.items()}


def as_float64(state: dict) -> dict:
    """A float64 copy of ``state`` (the reference's working copy)."""
    return rounded(state, torch.float64)


# --------------------------------------------------------------------------- the reference (oracles)


@oracle
def run_forward(forward: Callable, state: dict, x: torch.Tensor, training: bool):
    """``(out, state after)``: float64 ``forward`` on ``x`` with a copy of ``state`` (whose running statistics
    a train-mode pass updates). ``out`` is a tensor, or a list of candidate tensors for a mistake with several forms."""
    after = as_float64(state)
    with torch.no_grad():
        out = forward(after, x.to(torch.float64), training)
    return out, after


@oracle
def run_forward_backward(forward: Callable, parameter_names: tuple, state: dict, x: torch.Tensor, dout: torch.Tensor, training: bool):
    """``(out, dx, {parameter name: grad})`` of float64 ``forward`` on ``x`` with a copy of ``state``, backpropagating ``dout``."""
    leaves = {key: value.detach().to(torch.float64 if value.is_floating_point() else value.dtype, copy=True)
              for key, value in state.items()}
    for key in parameter_names:
        leaves[key].requires_grad_(True)
    x = x.detach().to(torch.float64, copy=True).requires_grad_(True)
    out = forward(leaves, x, training)
    backpropagate(out, dout.to(torch.float64))
    return out.detach(), x.grad, {key: leaves[key].grad for key in parameter_names}


def mistake_outputs(block: Block, state: dict, x, training: bool) -> dict:
    """Hint id -> what each known mistake of ``block`` computes here; a mistake that cannot run on this input
    (a kernel larger than the padded input) is left out."""
    outputs = {}
    mistakes = dict(block.mistakes)
    if block.norms:
        mistakes["keras_eps"] = block.with_norm(eps=KERAS_EPS)
    for hint, wrong in mistakes.items():
        try:
            outputs[hint] = run_forward(wrong, state, x, training)[0]
        except RuntimeError:
            continue
    return outputs


def eval_mistake_outputs(block: Block, state: dict, x) -> dict:
    """The mistakes of an eval-mode forward: the block's own and, with batch norms, normalising with the batch statistics."""
    outputs = mistake_outputs(block, state, x, False)
    if block.norms:
        outputs["eval_batch_statistics"] = run_forward(block.with_norm(batch_statistics_in_eval=True), state, x, False)[0]
    return outputs


# --------------------------------------------------------------------------- talking to the student's module


def check_strict_float_math(submission) -> None:
    """TF32 off where the student's module runs (in the worker when grading); the grader's setting, checked."""
    settings = submission.grader_op("strict_float_math")
    if settings["tf32_matmul"] or settings["tf32_cudnn"]:
        raise RuntimeError(f"TF32 is still enabled on the worker's GPU: {settings}")


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


def _zero_conv_biases(module, block: Block, state: dict) -> dict | None:
    """``state`` plus zero biases for the convolutions that API.md builds without one but the student's module
    has (``bias=True``); None when the student's names differ from API.md's in any other way.

    A zero bias computes what no bias computes: the bias convention costs only the test of the
    state-dict names, and every other test grades the block's computation."""
    with student_step(f"{block.call}.state_dict()"):
        names = set(module.state_dict())
    extra = names - set(block.shapes)
    if set(block.shapes) - names or not extra or not extra <= {f"{conv}.bias" for conv in unbiased_convs(block.shapes)}:
        return None
    filled = dict(state)
    for key in extra:
        weight = state[f"{key[:-len('.bias')]}.weight"]
        filled[key] = torch.zeros(weight.shape[0], dtype=weight.dtype)
    return filled


def build(submission, block: Block, state: dict, device: str, dtype) -> object:
    """The student's module for ``block`` on ``device`` in ``dtype``, with ``state`` (rounded to ``dtype``) loaded strictly."""
    module = construct(submission, block)
    with student_step(f"{block.call}.to({device!r}, {dtype})", device):
        module.to(device)
        module.to(dtype)
    state = rounded(state, dtype)
    filled = _zero_conv_biases(module, block, state)
    with student_step(f"{block.call}.load_state_dict(strict=True) with the state-dict names of API.md"):
        module.load_state_dict(state if filled is None else filled, strict=True)
    return module


def closest(candidates: list, values: np.ndarray):
    """The candidate (a tensor) of ``values``'s shape nearest to ``values``, or None."""
    best, best_error = None, math.inf
    for candidate in candidates:
        if tuple(candidate.shape) != values.shape:
            continue
        error = float(np.max(np.abs(candidate.detach().cpu().numpy() - values), initial=0.0))
        if error < best_error:
            best, best_error = candidate, error
    return best


def check_output(out, expected, name: str, device: str, dtype, tolerance: dict, hints: dict | None = None) -> None:
    """``out`` (returned by the student's code) is a tensor of ``dtype`` on ``device`` matching ``expected``.

    ``hints``: hint id -> the value that mistake gives (a list: candidates, the nearest one is compared)."""
    values = tensor_values(out, name)
    check_dtype_and_device(out, name, device, dtype)
    resolved = {}
    for hint, wrong in (hints or {}).items():
        wrong = closest(wrong, values) if isinstance(wrong, list) else wrong
        if wrong is not None:
            resolved[hint] = wrong
    assert_close(values, expected, name=name, hints=resolved, **tolerance)


def check_dtype_and_device(out, name: str, device: str, dtype) -> None:
    """``out`` is a tensor of ``dtype`` on ``device`` (the input's and the module's)."""
    tensor_values(out, name)
    if out.dtype != dtype:
        message = f"{name}: dtype {out.dtype}, expected {dtype}, the dtype of the input and the module"
        if dtype == torch.float64 and out.dtype == torch.float32:
            hint, sentence = describe_hint("float32_inside_forward")
            raise ComparisonFailure(f"{message}. It looks like you {sentence}.", hint=hint)
        raise AssertionError(message)
    where = device_of(out)
    if where.split(":")[0] != device.split(":")[0]:
        raise AssertionError(f"{name}: returned on {where}, expected on {device}, the device of the input and the module")


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


def _structure_failure(message: str, got: dict, block: Block) -> AssertionError:
    """The failure for state-dict names or shapes that differ from API.md's, naming a mistake whose names and
    shapes are exactly the student's."""
    for hint, shapes in block.structure_mistakes.items():
        if got == shapes:
            hint, sentence = describe_hint(hint)
            return ComparisonFailure(f"{message}. It looks like you {sentence}.", hint=hint)
    return ComparisonFailure(message)


def check_state_dict(submission, block: Block, device: str) -> None:
    """Names and shapes of ``state_dict()`` are exactly API.md's; every parameter trainable; strict loading works."""
    module = construct(submission, block)
    with student_step(f"{block.call}.to({device!r})", device):
        module.to(device)
    with student_step(f"{block.call}.state_dict()"):
        state = module.state_dict()
    if not isinstance(state, dict):
        raise AssertionError(f"{block.call}.state_dict() returned {type(state).__name__}, expected a dict")
    got = {key: tuple(tensor_values(value, key).shape) for key, value in state.items()}
    missing = [key for key in block.shapes if key not in got]
    unexpected = [key for key in got if key not in block.shapes]
    if missing or unexpected:
        raise _structure_failure(f"{block.call}: state_dict() keys differ from API.md's names: "
                                 + (f"missing {missing}" if missing else "")
                                 + ("; " if missing and unexpected else "")
                                 + (f"unexpected {unexpected}" if unexpected else ""), got, block)
    wrong_shapes = [f"{key} has shape {got[key]}, expected {tuple(shape)}" for key, shape in block.shapes.items()
                    if got[key] != tuple(shape)]
    if wrong_shapes:
        raise _structure_failure(f"{block.call}: " + "; ".join(wrong_shapes), got, block)
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


def check_train_outputs(submission, block: Block, rng, device: str, dtype, steps: int = 3) -> None:
    """``steps`` forward passes in train mode (batch statistics) on new inputs; outputs only."""
    state = draw_state(block, rng)
    module = build(submission, block, state, device, dtype)
    expected_state = as_float64(rounded(state, dtype))
    with student_step(f"{block.call}.train()"):
        module.train()
    for step in range(1, steps + 1):
        x = draw_input(block, rng).to(dtype)
        hints = mistake_outputs(block, expected_state, x, True)
        expected, expected_state = run_forward(block.forward, expected_state, x, True)
        with student_step(f"{block.call} forward (train mode, step {step})", device):
            out = module(on_device(x, device))
        check_output(out, expected, f"{block.call} output, train mode, step {step}", device, dtype, tolerance_of(dtype), hints)


def check_running_statistics(submission, block: Block, rng, device: str, dtype, steps: int = 3) -> None:
    """``running_mean`` and ``running_var`` of every batch norm after ``steps`` train-mode passes (momentum 0.1)."""
    state = draw_state(block, rng)
    module = build(submission, block, state, device, dtype)
    expected_state = as_float64(rounded(state, dtype))
    keras_state = expected_state
    with student_step(f"{block.call}.train()"):
        module.train()
    for step in range(1, steps + 1):
        x = draw_input(block, rng).to(dtype)
        expected_state = run_forward(block.forward, expected_state, x, True)[1]
        keras_state = run_forward(block.with_norm(momentum=KERAS_MOMENTUM), keras_state, x, True)[1]
        with student_step(f"{block.call} forward (train mode, step {step})", device):
            module(on_device(x, device))
    with student_step(f"{block.call}.state_dict()"):
        state = module.state_dict()
    for norm in block.norms:
        for statistic in ("running_mean", "running_var"):
            key = f"{norm}.{statistic}"
            if key not in state:
                raise AssertionError(f"{block.call}: state_dict() has no {key}")
            assert_close(tensor_values(state[key], key), expected_state[key], name=f"{key} after {steps} train steps ({dtype})",
                         hints={"keras_momentum": keras_state[key]}, **tolerance_of(dtype))


def check_eval(submission, block: Block, rng, device: str, dtype, batch_sizes=(1, 3)) -> None:
    """Eval mode uses the running statistics: a batch of 1 works and gives the same rows as in a larger batch."""
    state = draw_state(block, rng)
    module = build(submission, block, state, device, dtype)
    expected_state = as_float64(rounded(state, dtype))
    with student_step(f"{block.call}.eval()"):
        module.eval()
    for n in batch_sizes:
        x = draw_input(block, rng, n=n).to(dtype)
        hints = eval_mistake_outputs(block, expected_state, x)
        expected = run_forward(block.forward, expected_state, x, False)[0]
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
    expected_out = run_forward(block.forward, expected_state, x, training)[0]
    dout = torch.tensor(rng.standard_normal(tuple(expected_out.shape)), dtype=torch.float64).to(dtype)
    out_ref, dx_ref, grads_ref = run_forward_backward(block.forward, tuple(block.parameter_names), expected_state, x, dout, training)
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
    """forward leaves its input as it was, in train and in eval mode, and returns a tensor of the input's dtype and device
    (its values are the other tests' business)."""
    state = draw_state(block, rng)
    module = build(submission, block, state, device, dtype)
    for mode in ("train", "eval"):
        with student_step(f"{block.call}.{mode}()"):
            getattr(module, mode)()
        x = draw_input(block, rng).to(dtype)
        with student_step(f"{block.call} forward ({mode} mode)", device):
            out, x_after = submission.grader_op("forward_with_input", module, on_device(x, device))
        check_dtype_and_device(out, f"{block.call} output ({mode} mode)", device, dtype)
        after = tensor_values(x_after, "the input after forward")
        if after.shape != tuple(x.shape) or not np.array_equal(after, x.numpy()):
            raise AssertionError(f"{block.call}: forward modified its input in place ({mode} mode); the caller's x must stay as it "
                                 "was (an in-place op on x: x += ..., x.relu_(), nn.ReLU(inplace=True) applied to x?)")


def check_everything_on(submission, block: Block, rng, device: str) -> None:
    """float32 and float64 on ``device``: train steps, running statistics, gradients, eval."""
    for dtype in (torch.float32, torch.float64):
        check_train_outputs(submission, block, rng, device, dtype, steps=2)
        if block.norms:
            check_running_statistics(submission, block, rng, device, dtype, steps=2)
        check_gradients(submission, block, rng, device, dtype)
        check_eval(submission, block, rng, device, dtype, batch_sizes=(1,))


# --------------------------------------------------------------------------- counting


def telling_hints(hints: dict, expected) -> dict:
    """The hints (id -> wrong count) that can tell their mistake here: not the right count, and not a count
    another mistake also gives (then neither can be named)."""
    wrong = {hint: value for hint, value in hints.items() if value != expected}
    return {hint: value for hint, value in wrong.items() if list(wrong.values()).count(value) == 1}
