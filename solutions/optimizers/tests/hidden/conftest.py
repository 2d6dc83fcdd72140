"""Harness-side helpers shared by the hidden optimizer tests (exposed as fixtures)."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from autograder.testing import assert_close


# --------------------------------------------------------------------------- problems


def least_squares_problem(rng, shape, noise=0.1, scale=1.0):
    """A random least-squares loss 0.5/N ||X W - Y||^2 in W of ``shape`` ((d,) or (d, k)).

    Returns (w0, grad_fn): grad_fn(W) -> dW (plus a fixed per-step noise, like a
    mini-batch gradient), every gradient multiplied by ``scale``.
    """
    d = shape[0]
    n = 4 * d + 8
    X = rng.standard_normal((n, d)) / np.sqrt(d)
    Y = rng.standard_normal((n,) + tuple(shape[1:]))
    w0 = rng.standard_normal(shape)
    state = {"rng": np.random.default_rng(rng.integers(2**32))}

    def grad_fn(W):
        g = X.T @ (X @ W - Y) / n
        g = g + noise * state["rng"].standard_normal(g.shape)
        return scale * g

    return w0, grad_fn


def quadratic_problem(rng, n, cond):
    """SPD A (n, n) with condition number ``cond`` and smallest eigenvalue 1; b (n,)."""
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eig = np.exp(rng.uniform(0.0, np.log(cond), n))
    eig[0], eig[-1] = 1.0, cond
    A = (Q * eig) @ Q.T
    A = 0.5 * (A + A.T)
    b = rng.standard_normal(n)
    return A, b


def rosenbrock():
    def f(x):
        return float(100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2)

    def grad(x):
        return np.array([-400.0 * x[0] * (x[1] - x[0] ** 2) - 2.0 * (1.0 - x[0]), 200.0 * (x[1] - x[0] ** 2)])

    def hess(x):
        return np.array([[1200.0 * x[0] ** 2 - 400.0 * x[1] + 2.0, -400.0 * x[0]], [-400.0 * x[0], 200.0]])

    return f, grad, hess


def quadratic_functions(A, b):
    """f(x) = 0.5 x^T A x - b^T x with its gradient and Hessian."""

    def f(x):
        return float(0.5 * x @ A @ x - b @ x)

    def grad(x):
        return A @ x - b

    def hess(x):
        return A.copy()

    return f, grad, hess


def quartic_functions(A, b, c=0.25):
    """f(x) = 0.5 x^T A x - b^T x + c * sum(x**4): smooth, strictly convex, not quadratic."""

    def f(x):
        return float(0.5 * x @ A @ x - b @ x + c * np.sum(x**4))

    def grad(x):
        return A @ x - b + 4.0 * c * x**3

    def hess(x):
        return A + np.diag(12.0 * c * x**2)

    return f, grad, hess


def centered_functions(A, x_star, c=0.0):
    """f(x) = 0.5 e^T A e + c * sum(e**4), e = x - x_star: minimiser x_star, f = 0 there.

    Written in e so that f is accurate near the minimum (an Armijo test compares f values:
    a large constant offset would drown the decrease in rounding errors).
    """

    def f(x):
        e = x - x_star
        return float(0.5 * e @ A @ e + c * np.sum(e**4))

    def grad(x):
        e = x - x_star
        return A @ e + 4.0 * c * e**3

    def hess(x):
        e = x - x_star
        return A + np.diag(12.0 * c * e**2)

    return f, grad, hess


def newton_solution(grad, hess, x0, iters=100):
    """Harness-side pure Newton to machine precision (the oracle minimiser)."""
    x = np.array(x0, dtype=np.float64)
    for _ in range(iters):
        g = grad(x)
        if np.linalg.norm(g) < 1e-14:
            break
        x = x - np.linalg.solve(hess(x), g)
    return x


# --------------------------------------------------------------------------- checks


def check_at_most(value, bound, name):
    """A failure message that names the value and the bound (never hidden inputs)."""
    value = float(np.asarray(value, dtype=np.float64).reshape(-1)[0]) if np.size(value) == 1 else np.inf
    if not np.isfinite(value) or value > bound:
        raise AssertionError(f"{name} is {value:.4g}, it should be at most {bound:.4g}")


def check_int(value, expected, name):
    try:
        actual = int(np.asarray(value).reshape(()))
        ok = float(np.asarray(value).reshape(())) == actual
    except (TypeError, ValueError):
        raise AssertionError(f"{name}: expected an integer, got a value of type {type(value).__name__}") from None
    if not ok or actual != expected:
        raise AssertionError(f"{name} is {np.asarray(value).reshape(())}, expected {expected}")


# --------------------------------------------------------------------------- trajectories against torch.optim


def torch_state_step(opt):
    (state,) = [opt.state[p] for p in opt.param_groups[0]["params"]]
    return state


def run_trajectory(submission, rule, make_opt, w0, grad_fn, config, steps, dtype=np.float64):
    """Run the student's ``rule`` and ``make_opt([param])`` side by side for ``steps`` steps.

    The gradient of each step is computed ONCE, from the oracle's current w, cast to
    ``dtype``, and fed to both sides (so a small student error does not change the
    gradients). The student's config dict is passed back every step.
    Returns (student_ws (steps, *shape), torch_ws (steps, *shape), config, opt).
    """
    p = torch.tensor(np.asarray(w0, dtype=dtype).astype(np.float64), requires_grad=True)
    opt = make_opt([p])
    w = np.array(w0, dtype=dtype)
    student, oracle = [], []
    function = getattr(submission, rule)
    for _ in range(steps):
        dw = np.asarray(grad_fn(p.detach().numpy().copy()), dtype=dtype)
        w, config = function(w.copy(), dw.copy(), config)
        if isinstance(w, np.ndarray) and w.shape == np.shape(dw):
            student.append(np.array(w, dtype=np.float64))
        else:
            student.append(np.full(np.shape(dw), np.nan))
        p.grad = torch.tensor(dw.astype(np.float64))
        opt.step()
        oracle.append(p.detach().numpy().copy())
        if not isinstance(w, np.ndarray):
            raise AssertionError(f"{rule} must return next_w as a NumPy array, got a value of type {type(w).__name__}")
        if not isinstance(config, dict):
            raise AssertionError(f"{rule} must return (next_w, config) with config a dict, got {type(config).__name__}")
    return np.stack(student), np.stack(oracle), config, opt


def compare_trajectory(student, oracle, name, rtol=1e-6, atol=1e-8, hints=None):
    assert_close(student, oracle, name=f"{name} (w after each step)", rtol=rtol, atol=atol, hints=hints)


def advance_oracle(make_opt, w0, grad_fn, steps):
    """Run the oracle alone for ``steps`` steps; returns (param, opt)."""
    p = torch.tensor(np.asarray(w0, dtype=np.float64), requires_grad=True)
    opt = make_opt([p])
    for _ in range(steps):
        p.grad = torch.tensor(np.asarray(grad_fn(p.detach().numpy().copy()), dtype=np.float64))
        opt.step()
    return p, opt


def continue_trajectory(submission, rule, p, opt, grad_fn, config, steps):
    """Continue a running oracle ``opt`` on ``p`` while the student starts from ``config``."""
    w = p.detach().numpy().copy()
    student, oracle = [], []
    function = getattr(submission, rule)
    for _ in range(steps):
        dw = np.asarray(grad_fn(p.detach().numpy().copy()), dtype=np.float64)
        w, config = function(np.array(w, dtype=np.float64), dw.copy(), config)
        student.append(np.array(w, dtype=np.float64) if np.shape(w) == dw.shape else np.full(dw.shape, np.nan))
        p.grad = torch.tensor(dw)
        opt.step()
        oracle.append(p.detach().numpy().copy())
    return np.stack(student), np.stack(oracle), config


@pytest.fixture
def helpers():
    return SimpleNamespace(
        least_squares_problem=least_squares_problem,
        quadratic_problem=quadratic_problem,
        rosenbrock=rosenbrock,
        quadratic_functions=quadratic_functions,
        quartic_functions=quartic_functions,
        centered_functions=centered_functions,
        newton_solution=newton_solution,
        check_at_most=check_at_most,
        check_int=check_int,
        run_trajectory=run_trajectory,
        compare_trajectory=compare_trajectory,
        advance_oracle=advance_oracle,
        continue_trajectory=continue_trajectory,
        torch_state=torch_state_step,
    )
