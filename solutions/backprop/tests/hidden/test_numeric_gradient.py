"""Hidden tests: numeric_gradient (central differences, x perturbed in place and restored exactly).

The test's function f is called back in the harness with the array the student
passes, so the test sees every perturbation. ``closure_over(1, f)`` stands for the
closure ``lambda _: f(x)`` of the CS231n convention: it sees x as the student's code
holds it, so only an in-place perturbation moves it.
"""

import numpy as np
import pytest

from autograder.testing import assert_close, closure_over

pytestmark = pytest.mark.task("numeric_gradient")


class Recorder:
    """f(x) = sum(a * sin(x)) + sum(b * x**3) / 3, recording every x it is called with."""

    def __init__(self, a, b):
        self.a, self.b, self.calls = a, b, []

    def __call__(self, x):
        x = np.array(x, dtype=np.float64)
        self.calls.append(x)
        return float(np.sum(self.a * np.sin(x)) + np.sum(self.b * x**3) / 3)

    def gradient(self, x):
        return self.a * np.cos(x) + self.b * x**2


def _case(rng, shape):
    x = rng.uniform(-2, 2, size=shape)
    return x, Recorder(rng.uniform(0.5, 2, size=shape), rng.uniform(0.5, 2, size=shape))


def test_gradient_of_known_function(submission, rng):
    """numeric gradient of a smooth function matches its analytic gradient."""
    shape = (int(rng.integers(2, 5)), int(rng.integers(2, 5)))
    x, f = _case(rng, shape)
    grad = submission.numeric_gradient(f, x.copy())
    expected = f.gradient(x)
    assert_close(grad, expected, name="grad", rtol=1e-6, atol=1e-7,
                 hints={"numgrad_divided_by_h": 2 * expected})


def test_gradient_3d_shape_and_default_h(submission, rng):
    """3-D x: grad shaped like x; accurate to the central-difference error with the default h."""
    x, f = _case(rng, tuple(int(s) for s in rng.integers(2, 4, size=3)))
    grad = submission.numeric_gradient(f, x.copy())
    assert_close(grad, f.gradient(x), name="grad", rtol=1e-6, atol=1e-7)


def _central_differences(f, x, h):
    """The central differences of ``f`` at ``x`` with step ``h`` (the test's own, on copies of x)."""
    probe = Recorder(f.a, f.b)
    expected = np.zeros_like(x)
    for i in range(x.size):
        plus, minus = x.copy(), x.copy()
        plus.flat[i] += h
        minus.flat[i] -= h
        expected.flat[i] = (probe(plus) - probe(minus)) / (2 * h)
    return expected


def test_uses_step_h(submission, rng):
    """the step h is honoured: with a large h the result is the central difference with THAT h."""
    h = float(rng.uniform(0.02, 0.05))
    x, f = _case(rng, (3, 4))
    grad = submission.numeric_gradient(f, x.copy(), h)
    assert_close(grad, _central_differences(f, x, h), name=f"grad with h={h:.3g}", rtol=1e-7, atol=1e-9,
                 hints={"numgrad_ignores_h": f.gradient(x)})


def test_step_h_by_keyword(submission, rng):
    """the step can be passed by keyword, h=..."""
    h = float(rng.uniform(0.02, 0.05))
    x, f = _case(rng, (3, 4))
    grad = submission.numeric_gradient(f, x.copy(), h=h)
    assert_close(grad, _central_differences(f, x, h), name="grad with h passed by keyword", rtol=1e-7, atol=1e-9,
                 hints={"numgrad_ignores_h": f.gradient(x)})


def test_perturbs_one_entry_and_restores_exactly(submission, rng):
    """each call of f sees x with exactly one entry moved by +-h, all others bit-for-bit unchanged."""
    x, f = _case(rng, (int(rng.integers(3, 6)), int(rng.integers(3, 6))))
    x = x * 10.0 ** rng.integers(-2, 3, size=x.shape)  # magnitudes where x + h - h != x in floating point
    h = 1e-5
    submission.numeric_gradient(f, x.copy(), h)
    if len(f.calls) < 2 * x.size:
        assert_close(np.array(len(f.calls)), np.array(2 * x.size), name="number of calls to f (two per entry)")
    touched = np.zeros(x.size, dtype=bool)
    for k, seen in enumerate(f.calls):
        moved = np.asarray(seen, dtype=np.float64).reshape(-1).copy()
        diff = np.abs(moved - x.reshape(-1))
        i = int(np.argmax(diff))
        if diff[i] > h / 2:
            touched[i] = True
        moved[i] = x.reshape(-1)[i]
        assert_close(moved, x.reshape(-1), name=f"x as seen by call {k} of f, apart from the perturbed entry"
                     " (restore each entry exactly: store the old value and put it back)", rtol=0, atol=0)
    assert_close(touched.astype(float), np.ones(x.size), name="entries perturbed by about h (1 = perturbed)")


def test_central_differences(submission, rng):
    """a function with large curvature, default h: central (not forward) differences."""
    x = rng.uniform(1, 3, size=(3, 3))
    f = Recorder(np.zeros((3, 3)), rng.uniform(20, 50, size=(3, 3)))
    grad = submission.numeric_gradient(f, x.copy())
    assert_close(grad, f.gradient(x), name="grad", rtol=1e-7, atol=1e-7,
                 hints={"numgrad_forward_difference": f.gradient(x) + f.b * x * 1e-5})


def test_perturbs_x_in_place_for_a_closure(submission, rng):
    """f ignores its argument and reads x itself (lambda _: loss()): x must be perturbed in place."""
    x, f = _case(rng, (int(rng.integers(2, 5)), int(rng.integers(2, 5))))
    grad = submission.numeric_gradient(closure_over(1, f), x.copy())
    assert_close(grad, f.gradient(x), name="grad with f = lambda _: loss(x)", rtol=1e-6, atol=1e-7,
                 hints={"numgrad_perturbs_a_copy": np.zeros_like(x)})
