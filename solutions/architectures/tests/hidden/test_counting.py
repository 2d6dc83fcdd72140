"""Hidden tests: conv2d_parameter_count, conv2d_macs (formulas, torch.nn.Conv2d as the oracle) and count_parameters."""

import pytest
import torch

from autograder.testing import assert_scalar_close
from autograder.torch_ops import build_counting_module
from helpers import telling_hints

EXACT = {"rtol": 0.0, "atol": 0.0}


def _conv_case(rng, groups_kind, kernel_as_pair):
    """Random (in, out, kernel, groups): the kernel a (kh, kw) pair with kh != kw, or a square one as an int."""
    groups = {"plain": 1, "grouped": int(rng.integers(2, 4)), "depthwise": None}[groups_kind]
    if groups is None:
        channels = int(rng.integers(3, 9))
        cin, cout, groups = channels, channels * int(rng.integers(1, 3)), channels
    else:
        cin, cout = groups * int(rng.integers(1, 5)), groups * int(rng.integers(1, 5))
    kh, kw = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    while kw == kh:
        kw = int(rng.integers(1, 6))
    return cin, cout, (kh, kw) if kernel_as_pair else kh, groups


def _kernel_pair(kernel):
    return tuple(kernel) if isinstance(kernel, tuple) else (kernel, kernel)


def _equals(value, expected: int) -> bool:
    """Whether the student's ``value`` is the number ``expected`` (False for anything that is not a number)."""
    try:
        return float(value) == expected
    except (TypeError, ValueError):
        return False


def _parameter_count_hints(cin, cout, kernel, groups, bias):
    """What each known mistake counts for nn.Conv2d(cin, cout, kernel, groups=groups, bias=bias)."""
    kh, kw = _kernel_pair(kernel)
    b = cout if bias else 0
    return {"param_ignored_groups": cout * cin * kh * kw + b,
            "param_left_out_bias": cout * (cin // groups) * kh * kw,
            "param_bias_when_false": cout * (cin // groups) * kh * kw + cout,
            "param_square_kernel": cout * (cin // groups) * kh * kh + b}


@pytest.mark.task("conv_counts")
@pytest.mark.parametrize("groups_kind", ["plain", "grouped", "depthwise"])
def test_conv2d_parameter_count(submission, rng, groups_kind):
    """Parameters of nn.Conv2d (weight and optional bias) for plain, grouped and depthwise convolutions, groups and bias
    passed explicitly, rectangular (kh, kw) and square int kernels."""
    for bias, kernel_as_pair in [(True, True), (False, False), (False, True), (True, False)]:
        cin, cout, kernel, groups = _conv_case(rng, groups_kind, kernel_as_pair)
        expected = sum(p.numel() for p in torch.nn.Conv2d(cin, cout, kernel, groups=groups, bias=bias).parameters())
        got = submission.conv2d_parameter_count(cin, cout, kernel, groups=groups, bias=bias)
        assert_scalar_close(got, expected, name=f"conv2d_parameter_count({cin}, {cout}, {kernel}, groups={groups}, bias={bias})",
                            **EXACT, hints=telling_hints(_parameter_count_hints(cin, cout, kernel, groups, bias), expected))


@pytest.mark.task("conv_counts")
def test_conv2d_parameter_count_defaults(submission, rng):
    """The defaults groups=1 and bias=True (nn.Conv2d's): conv2d_parameter_count(in, out, kernel)."""
    cin, cout, kernel, _ = _conv_case(rng, "plain", kernel_as_pair=True)
    expected = sum(p.numel() for p in torch.nn.Conv2d(cin, cout, kernel).parameters())
    # The default's mistake is told apart from leaving the bias out altogether by the count with bias=True passed.
    with_bias = submission.conv2d_parameter_count(cin, cout, kernel, groups=1, bias=True)
    hints = {"param_default_bias_false": expected - cout} if _equals(with_bias, expected) else {}
    got = submission.conv2d_parameter_count(cin, cout, kernel)
    assert_scalar_close(got, expected, name=f"conv2d_parameter_count({cin}, {cout}, {kernel})", **EXACT, hints=hints)


@pytest.mark.task("conv_counts")
@pytest.mark.parametrize("groups_kind", ["plain", "grouped", "depthwise"])
def test_conv2d_macs(submission, rng, groups_kind):
    """Multiply-accumulates per image: out_channels * (in_channels / groups) * kh * kw * oh * ow, for (h, w) pairs
    (oh != ow) and ints."""
    for as_pairs in (True, False):
        cin, cout, kernel, groups = _conv_case(rng, groups_kind, kernel_as_pair=as_pairs)
        oh, ow = int(rng.integers(1, 30)), int(rng.integers(1, 30))
        while as_pairs and ow == oh:
            ow = int(rng.integers(1, 30))
        output_size = (oh, ow) if as_pairs else oh
        oh, ow = _kernel_pair(output_size)
        kh, kw = _kernel_pair(kernel)
        expected = cout * (cin // groups) * kh * kw * oh * ow
        got = submission.conv2d_macs(cin, cout, kernel, output_size, groups=groups)
        hints = {"macs_ignored_groups": expected * groups,
                 "macs_counted_bias": expected + cout * oh * ow,
                 "macs_square_output": cout * (cin // groups) * kh * kw * oh * oh}
        assert_scalar_close(got, expected, name=f"conv2d_macs({cin}, {cout}, {kernel}, {output_size}, groups={groups})", **EXACT,
                            hints=telling_hints(hints, expected))


@pytest.mark.task("conv_counts")
def test_depthwise_separable_saves_macs(submission, rng):
    """MobileNet's argument: depthwise 3x3 + pointwise 1x1 against a full 3x3, from conv2d_macs (groups left at its default
    for the full and the pointwise convolutions)."""
    cin, cout, size = int(rng.integers(16, 64)), int(rng.integers(16, 64)), int(rng.integers(7, 28))
    full = submission.conv2d_macs(cin, cout, 3, size)
    separable = submission.conv2d_macs(cin, cin, 3, size, groups=cin) + submission.conv2d_macs(cin, cout, 1, size)
    assert_scalar_close(full, cout * cin * 9 * size * size, name="MACs of the full 3x3 convolution", **EXACT,
                        hints={"macs_counted_bias": cout * cin * 9 * size * size + cout * size * size})
    assert_scalar_close(separable, cin * 9 * size * size + cin * cout * size * size, name="MACs of depthwise + pointwise", **EXACT,
                        hints={"macs_ignored_groups": cin * cin * 9 * size * size + cin * cout * size * size})


# ----------------------------------------------------------------------------- count_parameters


def _layers(rng):
    """Two equal linear layers (tieable), a conv, a batch norm (buffers that do not count) and another conv."""
    features = int(rng.integers(3, 9))
    cin = int(rng.integers(2, 6))
    cout = int(rng.integers(2, 6))
    return [("linear", features, features, True), ("linear", features, features, bool(rng.random() < 0.5)),
            ("conv", cin, cout, int(rng.integers(1, 4)), 1, True), ("bn", cout), ("conv", cout, cout, 3, cout, False)]


def _expected(layers, ties, frozen):
    """The harness's own count: torch's parameters() (each distinct parameter once), trainable only."""
    module = build_counting_module(layers, ties, frozen)
    return sum(p.numel() for p in module.parameters() if p.requires_grad), module


def _check_count(submission, layers, ties, frozen, what):
    expected, module = _expected(layers, ties, frozen)
    every_occurrence = sum(p.numel() for _, p in module.named_parameters(remove_duplicate=False) if p.requires_grad)
    with_frozen = sum(p.numel() for p in module.parameters())
    with_buffers = expected + sum(b.numel() for b in module.buffers())
    handle = submission.grader_op("build_counting_module", layers, list(ties), list(frozen))
    got = submission.count_parameters(handle)
    assert_scalar_close(got, expected, name=f"count_parameters of {what}", **EXACT,
                        hints=telling_hints({"counted_tied_twice": every_occurrence, "counted_frozen": with_frozen,
                                             "counted_buffers": with_buffers}, expected))


@pytest.mark.task("count_parameters")
def test_count_parameters_plain(submission, rng):
    """Linear, conv (with and without bias, grouped) and batch-norm layers; buffers do not count."""
    _check_count(submission, _layers(rng), [], [], "a module of linear, conv and batch-norm layers")


@pytest.mark.task("count_parameters")
def test_count_parameters_tied_weights(submission, rng):
    """Two layers sharing one weight tensor (tied weights): it counts once."""
    _check_count(submission, _layers(rng), [(0, 1)], [], "a module whose layers 0 and 1 share their weight")


@pytest.mark.task("count_parameters")
def test_count_parameters_shared_module(submission, rng):
    """The same layer registered twice (a shared submodule): its parameters count once."""
    layers = _layers(rng)
    _check_count(submission, layers + [("same", 2)], [], [], "a module that uses one conv layer twice")


@pytest.mark.task("count_parameters")
def test_count_parameters_frozen(submission, rng):
    """Frozen layers (requires_grad=False) do not count."""
    frozen = [int(rng.integers(0, 2)), 4]
    _check_count(submission, _layers(rng), [], frozen, f"a module with layers {frozen} frozen")


@pytest.mark.task("count_parameters")
def test_count_parameters_tied_shared_and_frozen(submission, rng):
    """Every kind at once: tied, shared and frozen parameters."""
    layers = _layers(rng) + [("same", 4)]
    _check_count(submission, layers, [(0, 1)], [3], "a module with tied, shared and frozen parameters")
