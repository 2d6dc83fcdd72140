"""Public tests: conv_output_size and receptive_field (fixed cases)."""

import math

import numpy as np
import pytest

CASES = [(32, 3, 1, 1), (32, 3, 2, 1), (7, 3, 2, 0), (10, 4, 3, 1), (224, 7, 2, 3), (5, 5, 1, 0), (9, 2, 2, 0)]


@pytest.mark.task("output_size")
def test_output_size(submission, frozen):
    """Sizes for a few (size, kernel, stride, pad), including strides that do not divide evenly."""
    actual = np.array([submission.conv_output_size(*case) for case in CASES], dtype=np.float64)
    ceil = np.array([math.ceil((s + 2 * p - k) / st) + 1 for s, k, st, p in CASES], dtype=np.float64)
    frozen.check("output_size.sizes", actual,
                 hints={"rounded up instead of down (floor division: an incomplete window is dropped)": ceil})


@pytest.mark.task("output_size")
def test_output_size_dilation(submission, frozen):
    """A dilated kernel spans dilation*(kernel-1)+1 positions."""
    cases = [(32, 3, 1, 2, 2), (15, 3, 2, 0, 3), (20, 5, 1, 4, 2)]
    actual = np.array([submission.conv_output_size(s, k, stride=st, pad=p, dilation=d) for s, k, st, p, d in cases],
                      dtype=np.float64)
    no_dilation = np.array([(s + 2 * p - k) // st + 1 for s, k, st, p, _ in cases], dtype=np.float64)
    frozen.check("output_size.dilated", actual, hints={"ignored the dilation": no_dilation})


@pytest.mark.task("receptive_field")
def test_receptive_field(submission, frozen):
    """VGG-style 3x3 stacks, an AlexNet-like stem with strides, and a dilated stack."""
    stacks = [
        [(3, 1)] * 3,                                    # three 3x3 convs see 7x7
        [(11, 4), (3, 2), (5, 1), (3, 2), (3, 1)],       # conv, pool, conv, pool, conv
        [(3, 1, 1), (3, 1, 2), (3, 1, 4)],               # dilated stack: 1 + 2 + 4 + 8
        [(7, 2), (3, 2), (3, 1), (3, 1)],                # ResNet stem + two 3x3
    ]
    actual = np.array([submission.receptive_field(s) for s in stacks], dtype=np.float64)

    def own_stride(stack):
        field, jump = 1, 1
        for layer in stack:
            jump *= layer[1]
            field += (layer[2] if len(layer) > 2 else 1) * (layer[0] - 1) * jump
        return field

    frozen.check("receptive_field.fields", actual,
                 hints={"multiplied by a layer's own stride before adding its kernel (only earlier strides count)":
                        np.array([own_stride(s) for s in stacks], dtype=np.float64)})
