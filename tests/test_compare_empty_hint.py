"""assert_close: a hint whose wrong value is an empty array (a [pad:-pad] crop at pad 0) can fire."""

import numpy as np
import pytest

from autograder.testing import ComparisonFailure, assert_close


def test_an_empty_wrong_value_is_a_hint_when_the_student_returns_it():
    expected = np.ones((2, 3, 4, 5))
    cropped = np.zeros((2, 3, 0, 0))  # x_pad[:, :, 0:-0, 0:-0]
    with pytest.raises(ComparisonFailure) as info:
        assert_close(np.zeros((2, 3, 0, 0)), expected, name="dx", hints={"cropped with [pad:-pad]": cropped})
    assert info.value.hint == "cropped with [pad:-pad]"
    assert "dx: shape (2, 3, 0, 0), expected (2, 3, 4, 5). It looks like you cropped with [pad:-pad]." == str(info.value)
    # Another empty shape is another mistake: no hint.
    with pytest.raises(ComparisonFailure) as info:
        assert_close(np.zeros((2, 3, 4, 0)), expected, hints={"cropped with [pad:-pad]": cropped})
    assert info.value.hint is None
    # An empty answer compared with an empty value passes; the hint is not consulted.
    assert_close(np.zeros((2, 0)), np.zeros((2, 0)), hints={"cropped with [pad:-pad]": np.zeros((2, 0))})
