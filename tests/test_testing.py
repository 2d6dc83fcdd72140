"""autograder.testing: the comparison helpers test authors use, and their messages."""

import numpy as np
import pytest

from autograder.harness.local import LocalSubmission
from autograder.testing import assert_close, assert_scalar_close, closure_over, numeric_gradient, rel_error


def message_of(actual, expected, **kwargs) -> str:
    with pytest.raises(AssertionError) as info:
        assert_close(actual, expected, **kwargs)
    return str(info.value)


def test_close_values_pass_and_wrong_ones_say_where():
    expected = np.arange(6.0).reshape(2, 3)
    assert_close(expected + 1e-9, expected)
    wrong = expected.copy()
    wrong[1, 2] += 0.5
    text = message_of(wrong, expected, name="dx")
    assert text.startswith("dx: 1 of 6 values differ") and "at index (1, 2)" in text


def test_shape_mismatches_guess_the_usual_mistake():
    expected = np.ones((4, 3))
    assert "forget to sum over axis 0" in message_of(np.ones((5, 4, 3)), expected)
    assert "transposed?" in message_of(np.ones((3, 4)), expected)
    assert "expected a NumPy array" in message_of([1.0, 2.0], np.ones(2))
    assert "non-finite" in message_of(np.array([np.inf, 1.0]), np.ones(2))


def test_a_hint_names_the_mistake_it_matches():
    expected = np.array([1.0, 2.0, 3.0])
    text = message_of(expected * 2, expected, hints={"forgot the factor 1/2": expected * 2, "flipped it": -expected})
    assert "It looks like you forgot the factor 1/2." in text and "flipped" not in text


def test_a_hint_equal_to_the_answer_is_never_shown():
    expected = np.array([1.0, 2.0, 3.0])
    text = message_of(expected + 0.1, expected, hints={"scaled the gradients up": expected.copy()})
    assert "It looks like" not in text


def test_hints_work_for_tiny_values_and_do_not_match_everything_tiny():
    expected = np.array([2e-9, 4e-9])
    text = message_of(expected / 2, expected, atol=1e-12, hints={"divided by N twice": expected / 2})
    assert "divided by N twice" in text
    text = message_of(expected * 3, expected, atol=1e-12, hints={"divided by N twice": expected / 2})
    assert "It looks like" not in text


def test_scalars_and_helpers():
    assert_scalar_close(np.float64(1.0), 1.0)
    with pytest.raises(AssertionError, match="expected a scalar"):
        assert_scalar_close(np.ones(2), 1.0)
    assert rel_error(np.ones(3), np.ones(3)) == 0.0
    x = np.array([0.5, -1.0])
    np.testing.assert_allclose(numeric_gradient(lambda v: np.sum(v**2), x), 2 * x, rtol=1e-6)


class _InPlace:
    @staticmethod
    def numeric_gradient(f, x, h=1e-5):
        grad = np.zeros_like(x)
        for i in range(x.size):
            old = x.flat[i]
            x.flat[i] = old + h
            plus = f(x)
            x.flat[i] = old - h
            minus = f(x)
            x.flat[i] = old
            grad.flat[i] = (plus - minus) / (2 * h)
        return grad

    @staticmethod
    def numeric_gradient_on_copy(f, x, h=1e-5):
        grad = np.zeros_like(x)
        for i in range(x.size):
            plus, minus = x.copy(), x.copy()
            plus.flat[i] += h
            minus.flat[i] -= h
            grad.flat[i] = (f(plus) - f(minus)) / (2 * h)
        return grad


def test_closure_over_sees_the_argument_as_the_student_holds_it():
    submission = LocalSubmission(_InPlace)
    x = np.array([1.0, -2.0, 0.5])
    closure = closure_over(1, lambda v: float(np.sum(v**3)))
    np.testing.assert_allclose(submission.numeric_gradient(closure, x.copy()), 3 * x**2, rtol=1e-6)
    # Perturbing a copy leaves the closed-over x alone: the gradient comes out 0.
    np.testing.assert_array_equal(submission.numeric_gradient_on_copy(closure, x.copy()), np.zeros(3))
    with pytest.raises(ValueError, match="names no positional argument"):
        submission.numeric_gradient(closure_over(5, abs), x)
    with pytest.raises(TypeError):
        closure()
