"""Hidden tests: conv_output_size and receptive_field.

conv_output_size gets every argument except in the tests of its defaults, one per default.
"""

import math

import numpy as np
import pytest

from autograder.testing import assert_close, assert_scalar_close

from helpers import out_size


def _rf_formula(layers):
    """Receptive field by the backward recurrence r_{l-1} = (r_l - 1) * s + span (independent of the forward one)."""
    field = 1
    for layer in reversed(layers):
        kernel, stride = layer[0], layer[1]
        dilation = layer[2] if len(layer) > 2 else 1
        field = (field - 1) * stride + dilation * (kernel - 1) + 1
    return field


def _integer(value):
    """conv_output_size returns an integer length (a float such as np.floor(...) + 1 is not a shape)."""
    array = np.asarray(value)
    if array.ndim != 0 or array.dtype.kind not in "iu":
        raise AssertionError(f"conv_output_size returned {type(value).__name__} (dtype {array.dtype}), expected an"
                             " int: use floor division // (or int(...)), a float is not a valid shape")
    return value


def _sizes(submission, cases, **kwargs):
    return np.array([_integer(submission.conv_output_size(*case, **kwargs)) for case in cases], dtype=np.float64)


def _one_pad(cases):
    """Output sizes with the padding added on one side only."""
    return np.array([(s + p - k) // st + 1 for s, k, st, p in cases], dtype=np.float64)


# ----------------------------------------------------------------- conv_output_size


@pytest.mark.task("output_size")
def test_output_size_random(submission, rng):
    """Random sizes, kernels, strides and paddings (dilation 1)."""
    cases = []
    for _ in range(20):
        kernel = int(rng.integers(1, 8))
        pad = int(rng.integers(0, 4))
        size = int(rng.integers(max(1, kernel - 2 * pad), 40))
        stride = int(rng.integers(1, 5))
        cases.append((size, kernel, stride, pad))
    expected = np.array([out_size(*c) for c in cases], dtype=np.float64)
    ceil = np.array([math.ceil((s + 2 * p - k) / st) + 1 for s, k, st, p in cases], dtype=np.float64)
    assert_close(_sizes(submission, cases, dilation=1), expected, name="output sizes",
                 hints={"rounded_up": ceil, "one_side_pad": _one_pad(cases)})


@pytest.mark.task("output_size")
def test_output_size_stride_does_not_divide(submission, rng):
    """Strides that do not divide size + 2*pad - kernel: incomplete windows are dropped."""
    cases = []
    while len(cases) < 10:
        size, kernel, stride, pad = int(rng.integers(5, 30)), int(rng.integers(1, 6)), int(rng.integers(2, 5)), int(rng.integers(0, 3))
        if (size + 2 * pad - kernel) % stride:
            cases.append((size, kernel, stride, pad))
    expected = np.array([out_size(*c) for c in cases], dtype=np.float64)
    ceil = np.array([math.ceil((s + 2 * p - k) / st) + 1 for s, k, st, p in cases], dtype=np.float64)
    assert_close(_sizes(submission, cases, dilation=1), expected, name="output sizes", hints={"rounded_up": ceil})


@pytest.mark.task("output_size")
def test_output_size_dilation(submission, rng):
    """Dilated kernels span dilation*(kernel-1)+1 input positions."""
    cases = []
    for _ in range(12):
        kernel, dilation = int(rng.integers(2, 6)), int(rng.integers(2, 4))
        stride, pad = int(rng.integers(1, 4)), int(rng.integers(0, 4))
        size = int(rng.integers(max(1, dilation * (kernel - 1) + 1 - 2 * pad), 40))
        cases.append((size, kernel, stride, pad, dilation))
    expected = np.array([out_size(*c) for c in cases], dtype=np.float64)
    no_dilation = np.array([out_size(*c[:4]) for c in cases], dtype=np.float64)
    actual = np.array([_integer(submission.conv_output_size(s, k, stride=st, pad=p, dilation=d))
                       for s, k, st, p, d in cases], dtype=np.float64)
    assert_close(actual, expected, name="output sizes with dilation",
                 hints={"ignored_dilation": no_dilation})


@pytest.mark.task("output_size")
def test_output_size_default_stride(submission, rng):
    """Without a stride argument, the stride is 1 (pad and dilation given)."""
    size = int(rng.integers(8, 64))
    assert_scalar_close(_integer(submission.conv_output_size(size, 5, pad=1, dilation=1)), size - 2,
                        name="conv_output_size(size, 5, pad=1, dilation=1)")


@pytest.mark.task("output_size")
def test_output_size_default_pad(submission, rng):
    """Without a pad argument, there is no padding (stride and dilation given)."""
    size = int(rng.integers(8, 64))
    assert_scalar_close(_integer(submission.conv_output_size(size, 3, stride=1, dilation=1)), size - 2,
                        name="conv_output_size(size, 3, stride=1, dilation=1)")
    assert_scalar_close(_integer(submission.conv_output_size(size, size, stride=1, dilation=1)), 1,
                        name="conv_output_size(size, size, stride=1, dilation=1)")


@pytest.mark.task("output_size")
def test_output_size_default_dilation(submission, rng):
    """Without a dilation argument, the kernel is dense (dilation 1): 'same' padding for odd kernels keeps the size."""
    size = int(rng.integers(8, 64))
    assert_scalar_close(_integer(submission.conv_output_size(size, 5, 1, 2)), size, name="conv_output_size(size, 5, 1, 2)")
    assert_scalar_close(_integer(submission.conv_output_size(size, 1, 1, 0)), size, name="conv_output_size(size, 1, 1, 0)")


# ----------------------------------------------------------------- receptive_field


@pytest.mark.task("receptive_field")
def test_receptive_field_stride_one_stack(submission, rng):
    """A stack of n stride-1 3x3 convolutions sees 2n+1 pixels (VGG's argument)."""
    sizes = [int(n) for n in rng.integers(1, 12, size=4)]
    actual = np.array([submission.receptive_field([(3, 1)] * n) for n in sizes], dtype=np.float64)
    assert_close(actual, np.array([2 * n + 1 for n in sizes], dtype=np.float64), name="receptive fields")


@pytest.mark.task("receptive_field")
def test_receptive_field_single_layer(submission, rng):
    """One layer sees exactly its kernel, whatever its stride."""
    kernel, stride = int(rng.integers(1, 12)), int(rng.integers(1, 5))
    assert_scalar_close(submission.receptive_field([(kernel, stride)]), kernel, name="receptive field of one layer")


@pytest.mark.task("receptive_field")
def test_receptive_field_strided(submission, rng):
    """Random stacks of strided convolutions and poolings."""
    stacks = []
    for _ in range(6):
        depth = int(rng.integers(2, 7))
        stacks.append([(int(rng.integers(1, 8)), int(rng.integers(1, 4))) for _ in range(depth)])
    expected = np.array([_rf_formula(s) for s in stacks], dtype=np.float64)

    def with_own_stride(stack):
        field, jump = 1, 1
        for k, s in stack:
            jump *= s
            field += (k - 1) * jump
        return field

    actual = np.array([submission.receptive_field(s) for s in stacks], dtype=np.float64)
    assert_close(actual, expected, name="receptive fields",
                 hints={"own_stride": np.array([with_own_stride(s) for s in stacks], dtype=np.float64)})


@pytest.mark.task("receptive_field")
def test_receptive_field_dilation(submission, rng):
    """Stacks mixing (kernel, stride) and (kernel, stride, dilation) layers."""
    stacks = []
    for _ in range(6):
        depth = int(rng.integers(2, 6))
        stack = []
        for _ in range(depth):
            k, s = int(rng.integers(2, 6)), int(rng.integers(1, 3))
            stack.append((k, s, int(rng.integers(1, 5))) if rng.random() < 0.7 else (k, s))
        stacks.append(stack)
    expected = np.array([_rf_formula(s) for s in stacks], dtype=np.float64)
    no_dilation = np.array([_rf_formula([layer[:2] for layer in s]) for s in stacks], dtype=np.float64)
    actual = np.array([submission.receptive_field(s) for s in stacks], dtype=np.float64)
    assert_close(actual, expected, name="receptive fields with dilation", hints={"ignored_dilation": no_dilation})
