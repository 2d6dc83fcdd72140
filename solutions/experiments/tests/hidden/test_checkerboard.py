"""Hidden tests: checkerboard artefacts of transposed convolutions (checkerboard_counts, has_checkerboard).

Exact: the counts equal torch's conv_transpose2d of ones with ones; has_checkerboard
is true exactly when kernel % stride != 0, over every kernel 1-8 and stride 1-5.
"""

import numpy as np
import pytest
import torch

from autograder.testing import assert_close

pytestmark = pytest.mark.task("checkerboard")


def _counts(kernel, stride, in_size):
    ones = torch.ones(1, 1, in_size, in_size, dtype=torch.float64)
    return torch.nn.functional.conv_transpose2d(ones, torch.ones(1, 1, kernel, kernel, dtype=torch.float64), stride=stride)[0, 0].numpy()


def test_counts_equal_conv_transpose_of_ones(submission, rng):
    """Counts for random kernel (1-7), stride (1-4) and input size (1-7), plus kernel 3 / stride 2 and kernel 4 / stride 2."""
    cases = [(3, 2, int(rng.integers(3, 7))), (4, 2, int(rng.integers(3, 7))), (2, 3, int(rng.integers(2, 6)))]
    cases += [(int(rng.integers(1, 8)), int(rng.integers(1, 5)), int(rng.integers(1, 8))) for _ in range(5)]
    for kernel, stride, in_size in cases:
        counts = submission.checkerboard_counts(kernel, stride, in_size)
        expected = _counts(kernel, stride, in_size)
        assert_close(counts, expected, name=f"counts (kernel {kernel}, stride {stride}, input {in_size}x{in_size})", rtol=0, atol=0,
                     hints={"checkerboard_one_axis": np.tile(expected[0], (expected.shape[0], 1))})
        assert np.asarray(counts).dtype.kind in "iu", f"counts: dtype {np.asarray(counts).dtype}, expected an integer array"


def test_has_checkerboard_table(submission):
    """has_checkerboard(kernel, stride) for every kernel 1-8 and stride 1-5: uneven overlap iff kernel % stride != 0."""
    wrong = []
    for kernel in range(1, 9):
        for stride in range(1, 6):
            answer = submission.has_checkerboard(kernel, stride)
            if not isinstance(answer, (bool, np.bool_)):
                raise AssertionError(f"has_checkerboard({kernel}, {stride}): expected a bool, got {type(answer).__name__}")
            if bool(answer) != (kernel % stride != 0):
                wrong.append(f"kernel {kernel}, stride {stride}: {bool(answer)}")
    assert not wrong, ("has_checkerboard is wrong for " + "; ".join(wrong[:6]) + (" ..." if len(wrong) > 6 else "")
                       + ". A kernel smaller than the stride leaves gaps (zeros between ones): uneven too")
