"""assert_close_at: a value fixed at a kink is compared at those entries only."""

import numpy as np
import pytest

from autograder.testing import assert_close_at


def test_only_the_chosen_entries_count_and_hints_are_compared_there():
    x = np.array([[0.0, 1.5], [-2.0, 0.0]])
    dout = np.array([[3.0, -1.0], [2.0, 4.0]])
    expected = dout * (x > 0)
    wrong_elsewhere = expected + np.array([[0.0, 9.0], [9.0, 0.0]])
    assert_close_at(wrong_elsewhere, expected, x == 0, name="dx where x == 0")
    one_at_zero = dout * (x >= 0)
    with pytest.raises(AssertionError) as info:
        assert_close_at(one_at_zero, expected, x == 0, name="dx where x == 0", hints={"one_at_zero": one_at_zero})
    assert str(info.value).startswith("dx where x == 0: 2 of 2 values differ") and info.value.hint == "one_at_zero"


def test_a_wrong_shape_is_reported_as_such():
    with pytest.raises(AssertionError, match=r"shape \(4,\), expected \(2, 2\)"):
        assert_close_at(np.zeros(4), np.zeros((2, 2)), np.ones((2, 2), dtype=bool), name="dx")
    with pytest.raises(AssertionError, match="got None"):
        assert_close_at(None, np.zeros((2, 2)), np.ones((2, 2), dtype=bool), name="dx")
