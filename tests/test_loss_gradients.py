"""check_loss_gradient (a wrong loss value costs only its own tests) and check_backward for random layers."""

import numpy as np
import pytest

from autograder.errors import GraderFault
from autograder.harness.local import LocalSubmission
from autograder.testing import check_backward, check_loss_gradient
from autograder.testing.notes import collect_notes, start_collecting


class _Losses:
    """Mean squared error with four kinds of mistakes."""

    @staticmethod
    def right(pred, target):
        d = pred - target
        return float(np.mean(d**2)), 2 * d / d.size

    @staticmethod
    def summed_consistently(pred, target):  # wrong value, and its gradient is the gradient of that value
        d = pred - target
        return float(np.sum(d**2)), 2 * d

    @staticmethod
    def summed_gradient_of_mean(pred, target):  # wrong value, gradient of the right value
        d = pred - target
        return float(np.sum(d**2)), 2 * d / d.size

    @staticmethod
    def wrong_for_both(pred, target):
        d = pred - target
        return float(np.sum(d**2)), d

    @staticmethod
    def gradient_without_factor_two(pred, target):  # right value, wrong gradient
        d = pred - target
        return float(np.mean(d**2)), d / d.size


def _grade(name, submission=None):
    submission = submission or LocalSubmission(_Losses)
    rng = np.random.default_rng(0)
    pred, target = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    d = pred - target

    def call(p, t):
        loss, dpred = getattr(submission, name)(p, t)
        return loss, (dpred,)

    start_collecting()
    try:
        check_loss_gradient(call, (pred, target), wrt=(0,), expected_loss=float(np.mean(d**2)), expected_grads=(2 * d / d.size,),
                            names=("dpred",), function=name, hints={"dpred": {"no_factor_two": d / d.size}})
    finally:
        notes = collect_notes()
    return notes


def test_a_right_gradient_passes_without_a_note():
    assert _grade("right") == []
    assert _grade("summed_gradient_of_mean") == []  # right for the true loss: nothing to say


def test_the_gradient_of_the_students_own_wrong_loss_passes_with_a_note():
    assert _grade("summed_consistently") == [
        "dpred of summed_consistently is the correct gradient of your loss; the loss value is wrong: see the loss value tests"]


def test_a_gradient_wrong_for_both_fails_and_says_so():
    with pytest.raises(AssertionError, match="not the gradient of your own loss either"):
        _grade("wrong_for_both")


def test_a_right_loss_value_leaves_no_excuse_and_the_hint_is_kept():
    with pytest.raises(AssertionError) as info:
        _grade("gradient_without_factor_two")
    assert "own loss" not in str(info.value)
    assert info.value.hint == "no_factor_two"


def test_a_grader_fault_in_the_own_loss_check_is_not_the_students_failure():
    class Faulty:
        calls = 0

        def summed_consistently(self, pred, target):
            Faulty.calls += 1
            if Faulty.calls > 1:
                raise GraderFault("the worker died")
            return _Losses.summed_consistently(pred, target)

    with pytest.raises(GraderFault):
        _grade("summed_consistently", submission=Faulty())


class _Dropout:
    """Inverted dropout drawn from a seed, with a forward that forgets the 1/(1-p) scale."""

    @staticmethod
    def forward(x, p, seed):
        mask = (np.random.default_rng(seed).random(x.shape) >= p) / (1 - p)
        return x * mask, mask

    @staticmethod
    def forward_unscaled(x, p, seed):
        mask = (np.random.default_rng(seed).random(x.shape) >= p) * 1.0
        return x * mask, mask

    @staticmethod
    def backward(dout, mask):
        return dout * mask

    @staticmethod
    def backward_unscaled(dout, mask):
        return dout * (mask != 0)


def _dropout(forward, backward):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 5)) + 3.0
    dout = rng.standard_normal(x.shape)
    p = 0.3
    start_collecting()
    try:
        check_backward(LocalSubmission(_Dropout), forward, backward, (x, p, 7), dout, wrt=(0,),
                       expected_out=lambda out: np.where(out != 0, x / (1 - p), 0.0),
                       expected_grads=lambda out: (np.where(out != 0, dout / (1 - p), 0.0),),
                       names=("dx",), forward_task="dropout", hints={"dx": {"unscaled": lambda out: np.where(out != 0, dout, 0.0)}})
    finally:
        notes = collect_notes()
    return notes


def test_check_backward_takes_the_right_answer_of_a_random_layer_from_the_students_draw():
    assert _dropout("forward", "backward") == []  # whatever mask it drew
    assert _dropout("forward_unscaled", "backward") == [
        "backward is the correct gradient of your forward_unscaled; the forward is wrong: see dropout"]
    with pytest.raises(AssertionError, match="dx: ") as info:
        _dropout("forward", "backward_unscaled")
    assert info.value.hint == "unscaled"  # a hint computed from the same draw


class _NanBackward:
    """A forward that is wrong (scaled by 2) and a backward that returns nan where the right gradient is finite."""

    @staticmethod
    def forward(x):
        return 2 * x**2, x.copy()

    @staticmethod
    def backward(dout, cache):
        dx = 4 * cache * dout
        dx[0, 0] = np.nan
        return dx


def test_a_backward_with_nan_is_not_the_gradient_of_any_forward():
    rng = np.random.default_rng(0)
    x, dout = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    with pytest.raises(AssertionError, match="not the gradient of your own forward either"):
        check_backward(LocalSubmission(_NanBackward), "forward", "backward", (x,), dout, wrt=(0,), expected_out=x**2,
                       expected_grads=(2 * x * dout,), names=("dx",))
