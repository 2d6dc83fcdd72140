"""Hidden tests of the seven module classes against the float64 functional reference of helpers.py.

Every configuration below runs every check, each in a test of its own: strict
state-dict names and shapes, train-mode forward over several steps, the running
statistics after them (float64 and float32), eval mode with explicit running
statistics (batch of 1 included), input and parameter gradients, float32, and a
forward that leaves its input alone. Sizes, weights and inputs are drawn from
``rng`` each run; the structure of each configuration (identity or projection
shortcut, stride 2, groups, ...) is fixed, so every run covers the cases where
the usual mistakes show.
"""

import pytest
import torch
from helpers import (basic_block, bottleneck, check_eval, check_everything_on, check_gradients, check_input_untouched,
                     check_running_statistics, check_state_dict, check_train_outputs, construct, dense_block, depthwise_separable,
                     factorized, inception, preact_block, student_step)

from autograder.testing import assert_scalar_close


def _channels(rng, low=2, high=5):
    return int(rng.integers(low, high + 1))


def _basic_like(factory, *, stride, change):
    def make(rng):
        cin = _channels(rng)
        cout = cin + _channels(rng, 1, 3) if change else cin
        return factory(cin, cout, stride=stride)
    return make


def _bottleneck(*, stride, projection, groups=1, base_width=64, planes=None):
    def make(rng):
        # planes >= 2: with a width of 1, conv3's gradient behind bn3 is (exactly) zero up to eps, pure roundoff
        p = planes(rng) if planes else _channels(rng, 2, 3)
        cin = _channels(rng, 2, 6) if projection else 4 * p
        if projection and cin == 4 * p:
            cin += 1
        return bottleneck(cin, p, stride=stride, groups=groups, base_width=base_width)
    return make


def _inception(rng):
    ch3x3, ch5x5 = _channels(rng, 2, 4), _channels(rng, 2, 4)
    if ch3x3 == ch5x5:
        ch5x5 += 1
    return inception(_channels(rng, 3, 6), _channels(rng, 1, 4), _channels(rng, 1, 3), ch3x3, _channels(rng, 1, 3), ch5x5,
                     _channels(rng, 1, 3))


def _dense(num_layers, bn_size=4):
    return lambda rng: dense_block(_channels(rng, 2, 5), _channels(rng, 2, 4), num_layers, bn_size)


# (task, configuration name, builder(rng) -> Block)
CONFIGS = [
    ("basic_block", "identity", _basic_like(basic_block, stride=1, change=False)),
    ("basic_block", "stride2_more_channels", _basic_like(basic_block, stride=2, change=True)),
    ("basic_block", "more_channels", _basic_like(basic_block, stride=1, change=True)),
    ("basic_block", "stride2_same_channels", _basic_like(basic_block, stride=2, change=False)),
    ("bottleneck", "identity", _bottleneck(stride=1, projection=False)),
    ("bottleneck", "stride2_projection", _bottleneck(stride=2, projection=True)),
    ("bottleneck", "projection", _bottleneck(stride=1, projection=True)),
    ("bottleneck", "resnext_stride2", _bottleneck(stride=2, projection=False, groups=4, base_width=32,
                                                   planes=lambda rng: 2 * _channels(rng, 1, 2))),
    # width = int(planes * base_width / 64) * groups with planes * base_width / 64 not a whole number: int() before * groups
    ("bottleneck", "resnext_fractional_width", _bottleneck(stride=1, projection=True, groups=2, base_width=32,
                                                            planes=lambda rng: 2 * _channels(rng, 1, 2) + 1)),
    ("preact_block", "identity", _basic_like(preact_block, stride=1, change=False)),
    ("preact_block", "stride2_more_channels", _basic_like(preact_block, stride=2, change=True)),
    ("preact_block", "more_channels", _basic_like(preact_block, stride=1, change=True)),
    ("preact_block", "stride2_same_channels", _basic_like(preact_block, stride=2, change=False)),
    ("inception", "random_channels", _inception),
    ("inception", "other_channels", _inception),
    ("factorized", "random_channels", lambda rng: factorized(_channels(rng), _channels(rng), _channels(rng), widths=(7, 9))),
    # images narrower than the kernel: padding 3 keeps the width
    ("factorized", "narrow_images", lambda rng: factorized(_channels(rng), _channels(rng), _channels(rng), widths=(5, 6))),
    ("dense_block", "two_layers", _dense(2)),
    ("dense_block", "three_layers_bn_size_2", _dense(3, bn_size=2)),
    ("dense_block", "one_layer", _dense(1)),
    ("depthwise_separable", "stride1", lambda rng: depthwise_separable(_channels(rng), _channels(rng), stride=1)),
    ("depthwise_separable", "stride2", lambda rng: depthwise_separable(_channels(rng), _channels(rng), stride=2)),
]

PARAMS = [pytest.param(build, marks=pytest.mark.task(task), id=f"{task}-{name}") for task, name, build in CONFIGS]
# The classes with batch norms (InceptionModule and Factorized7x7 have none: no running statistics to test).
WITH_BATCH_NORM = [pytest.param(build, marks=pytest.mark.task(task), id=f"{task}-{name}") for task, name, build in CONFIGS
                   if task not in ("inception", "factorized")]


@pytest.mark.parametrize("config", PARAMS)
def test_state_dict_names_shapes_and_parameter_count(submission, rng, device, config):
    """state_dict() has exactly API.md's names and shapes; every parameter is trainable; strict loading works."""
    check_state_dict(submission, config(rng), device)


@pytest.mark.parametrize("config", PARAMS)
def test_train_mode_forward(submission, rng, device, config):
    """Three train-mode forward passes (float64, batch statistics) match the reference."""
    check_train_outputs(submission, config(rng), rng, device, torch.float64)


@pytest.mark.parametrize("config", WITH_BATCH_NORM)
def test_running_statistics(submission, rng, device, config):
    """running_mean and running_var after three train-mode passes (momentum 0.1), in float64 and in float32."""
    block = config(rng)
    check_running_statistics(submission, block, rng, device, torch.float64)
    check_running_statistics(submission, block, rng, device, torch.float32, steps=2)


@pytest.mark.parametrize("config", PARAMS)
def test_eval_mode_forward(submission, rng, device, config):
    """Eval mode (float64) uses the running statistics loaded with the weights, with a batch of 1 and of 3."""
    check_eval(submission, config(rng), rng, device, torch.float64)


@pytest.mark.parametrize("config", PARAMS)
def test_input_and_parameter_gradients(submission, rng, device, config):
    """dx and every parameter's gradient (float64, train mode) match the reference."""
    check_gradients(submission, config(rng), rng, device, torch.float64)


@pytest.mark.parametrize("config", PARAMS)
def test_float32(submission, rng, device, config):
    """float32 module and input: train-mode outputs, gradients and eval, to float32 tolerances (running statistics
    in float32: test_running_statistics)."""
    block = config(rng)
    check_train_outputs(submission, block, rng, device, torch.float32, steps=2)
    check_gradients(submission, block, rng, device, torch.float32)
    check_eval(submission, block, rng, device, torch.float32, batch_sizes=(1,))


@pytest.mark.parametrize("config", PARAMS)
def test_forward_leaves_its_input_alone(submission, rng, device, config):
    """forward does not modify its input in place, and returns a tensor of the input's dtype and device."""
    check_input_untouched(submission, config(rng), rng, device, torch.float64)


@pytest.mark.gpu
@pytest.mark.parametrize("config", PARAMS)
def test_on_cuda(submission, rng, cuda, config):
    """On the GPU (TF32 off): float32 and float64 train steps, running statistics, gradients and eval."""
    check_everything_on(submission, config(rng), rng, cuda)


@pytest.mark.parametrize("task, block, expansion", [
    pytest.param("basic_block", basic_block(3, 3), 1, marks=pytest.mark.task("basic_block"), id="basic_block"),
    pytest.param("bottleneck", bottleneck(8, 2), 4, marks=pytest.mark.task("bottleneck"), id="bottleneck"),
])
def test_expansion(submission, task, block, expansion):
    """The class attribute ``expansion`` (output channels / planes), read on an instance: 1 and 4 (torchvision's)."""
    module = construct(submission, block)
    with student_step(f"{block.call}.expansion"):
        value = submission.attribute(module, "expansion")
    assert_scalar_close(value, expansion, name=f"{block.cls}.expansion", rtol=0, atol=0,
                        hints={"bottleneck_expansion_one": 1} if block.cls == "Bottleneck" else {})
