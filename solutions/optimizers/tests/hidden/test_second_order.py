"""Hidden tests of Newton, line search, BFGS, L-BFGS and conjugate gradient.

These methods are checked by where they arrive (with generous iteration budgets), never
by exact iteration counts, except where API.md defines the count: n_iter = 0 when x0
already meets tol, one Newton step on a quadratic, max_iter steps when the method needs
more, and the decision at an exact tie of the stopping rule (inputs built so that the
norms are exact in floating point). Where API.md fixes a rule exactly (BFGS skips a pair
with s @ y <= 1e-10, L-BFGS clears its memory, CG stops at norm(r) <= tol * norm(b)),
the point after k steps is compared with the k-th iterate of that rule, on inputs redrawn
until every decision is far from a tie.
"""

import numpy as np
import pytest

from autograder.testing import assert_scalar_close, float32_tolerances, note
from helpers import (
    armijo_reference,
    centered_functions,
    cg_reference,
    check_at_most,
    check_count,
    check_point,
    dense_lbfgs_direction,
    krylov_iterate,
    negative_curvature_case,
    quadratic_functions,
    quadratic_problem,
    quartic_functions,
    quasi_newton_trace,
    reference_line_search,
    reference_trace,
    rosenbrock,
    separable_log_functions,
    small_pair_case,
    spd,
    two_loop,
)

ROSENBROCK_START = np.array([-1.2, 1.0])
ROSENBROCK_MIN = np.array([1.0, 1.0])


def _newton_step_hints(x, g, H):
    return {"newton_step_times_h": x - H @ g, "newton_step_added": x + np.linalg.solve(H, g)}


def _exact_tie(rng):
    """``f = 0.5 |x - x*|^2`` and ``x0`` with ``norm(grad(x0)) == tol`` exactly (dyadic numbers only)."""
    n = int(rng.integers(2, 7))
    x_star = rng.integers(-3, 4, n).astype(np.float64)
    tol = 2.0 ** -int(rng.integers(1, 6))
    x0 = x_star.copy()
    x0[int(rng.integers(n))] += tol * rng.choice([-1.0, 1.0])
    f, grad, hess = centered_functions(np.eye(n), x_star)
    return f, grad, hess, x0, tol


# --------------------------------------------------------------------------- newton


@pytest.mark.task("newton")
def test_newton_step_matches_solve(submission, rng):
    """x - solve(H, g) for random SPD and symmetric indefinite H of random size."""
    for _ in range(3):
        n = int(rng.integers(2, 20))
        H = spd(rng, n)
        x, g = rng.standard_normal(n), rng.standard_normal(n)
        check_point(submission.newton_step(x.copy(), g.copy(), H.copy()), x - np.linalg.solve(H, g), "x_next",
                    hints=_newton_step_hints(x, g, H))
    n = int(rng.integers(3, 12))
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eig = rng.uniform(1.0, 5.0, n) * rng.choice([-1.0, 1.0], n)
    H = 0.5 * ((Q * eig) @ Q.T + ((Q * eig) @ Q.T).T)
    x, g = rng.standard_normal(n), rng.standard_normal(n)
    check_point(submission.newton_step(x.copy(), g.copy(), H.copy()), x - np.linalg.solve(H, g), "x_next (indefinite H)",
                hints=_newton_step_hints(x, g, H))


@pytest.mark.task("newton")
def test_newton_step_float32(submission, rng):
    """float32 inputs: the step at float32 tolerances."""
    n = int(rng.integers(2, 10))
    H = spd(rng, n).astype(np.float32)
    x, g = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    x64, g64, H64 = x.astype(np.float64), g.astype(np.float64), H.astype(np.float64)
    check_point(submission.newton_step(x.copy(), g.copy(), H.copy()), x64 - np.linalg.solve(H64, g64), "x_next",
                hints=_newton_step_hints(x64, g64, H64), **float32_tolerances)


@pytest.mark.task("newton")
def test_newton_quadratic_in_one_step(submission, rng):
    """On a quadratic, Newton's method lands on the minimiser in exactly one step."""
    n = int(rng.integers(3, 15))
    A, b = quadratic_problem(rng, n, cond=10 ** rng.uniform(1, 3))
    f, grad, hess = quadratic_functions(A, b)
    x0 = rng.standard_normal(n)
    x, n_iter = submission.newton_minimize(f, grad, hess, x0.copy())
    check_point(x, np.linalg.solve(A, b), "x", rtol=1e-7, atol=1e-9)
    check_count(n_iter, 1, "n_iter", hints={"n_iter_one_too_large": 2})


@pytest.mark.task("newton")
def test_newton_rosenbrock(submission):
    """Rosenbrock from (-1.2, 1): within 1e-5 of (1, 1)."""
    f, grad, hess = rosenbrock()
    x, n_iter = submission.newton_minimize(f, grad, hess, ROSENBROCK_START.copy())
    check_point(x, ROSENBROCK_MIN, "x", rtol=0, atol=1e-5)
    check_at_most(n_iter, 100, "n_iter")


@pytest.mark.task("newton")
def test_newton_non_quadratic_convex(submission, rng):
    """A smooth strictly convex quartic in n dimensions: arrives at its unique minimiser."""
    n = int(rng.integers(3, 10))
    A, x_star = quadratic_problem(rng, n, cond=10.0)
    f, grad, hess = centered_functions(A, x_star, c=0.5)
    x0 = x_star + 2.0 * rng.standard_normal(n)
    x, n_iter = submission.newton_minimize(f, grad, hess, x0.copy(), 1e-10)
    check_point(x, x_star, "x", rtol=1e-7, atol=1e-9)
    check_at_most(np.linalg.norm(grad(np.asarray(x, dtype=np.float64))), 1e-10, "norm(grad(x))")
    check_at_most(n_iter, 60, "n_iter")


@pytest.mark.task("newton")
def test_newton_loose_tol_is_absolute(submission, rng):
    """A loose custom tol (1e-3..1e-1) far from x0: the returned x meets norm(grad(x)) < tol itself.

    Catches a tolerance taken relative to norm(grad(x0)): Newton's gradient norms fall by a
    factor of a few per step on this quartic before the quadratic phase, so an iterate with
    tol <= norm(grad) < tol * norm(grad(x0)) always exists.
    """
    n = int(rng.integers(3, 10))
    A, x_star = quadratic_problem(rng, n, cond=10.0)
    f, grad, hess = centered_functions(A, x_star, c=0.5)
    x0 = x_star + 2.0 * rng.standard_normal(n)
    tol = 10 ** rng.uniform(-3, -1)
    x, n_iter = submission.newton_minimize(f, grad, hess, x0.copy(), tol)
    check_at_most(np.linalg.norm(grad(np.asarray(x, dtype=np.float64))) / tol, 1.0, "norm(grad(x)) / tol")
    check_at_most(n_iter, 60, "n_iter")


@pytest.mark.task("newton")
def test_newton_zero_steps_when_x0_meets_tol(submission, rng):
    """n_iter = 0 and x = x0 when norm(grad(x0)) < tol, with the default and with a custom tol."""
    n = int(rng.integers(2, 8))
    A, b = quadratic_problem(rng, n, cond=10.0)
    f, grad, hess = quadratic_functions(A, b)
    x_star = np.linalg.solve(A, b)
    for tol in (1e-8, 10 ** rng.uniform(-4, -2)):
        direction = rng.standard_normal(n)
        # grad(x0) = A (x0 - x*): scale the offset so that norm(grad(x0)) = 0.3 * tol
        x0 = x_star + direction / np.linalg.norm(A @ direction) * 0.3 * tol
        args = (f, grad, hess, x0.copy()) if tol == 1e-8 else (f, grad, hess, x0.copy(), tol)
        x, n_iter = submission.newton_minimize(*args)
        # compared as (x - x0) / norm(step): the Newton step from x0 is tiny, and a hint about it must be scaled alike
        step = -np.linalg.solve(A, grad(x0))
        scale = float(np.linalg.norm(step))
        check_point((np.asarray(x, dtype=np.float64) - x0) / scale, np.zeros(n), "(x - x0) / norm(newton step at x0)", rtol=0,
                    atol=1e-12 / scale, hints={"newton_steps_before_testing": step / scale})
        check_count(n_iter, 0, f"n_iter (norm(grad(x0)) below tol={tol:.1e})", hints={"n_iter_one_too_large": 1})


@pytest.mark.task("newton")
def test_newton_respects_max_iter(submission):
    """max_iter=2 on Rosenbrock (which needs more): exactly two steps are taken."""
    f, grad, hess = rosenbrock()
    _, n_iter = submission.newton_minimize(f, grad, hess, ROSENBROCK_START.copy(), 1e-8, 2)
    check_count(n_iter, 2, "n_iter", hints={"n_iter_last_loop_index": 1})


@pytest.mark.task("newton")
def test_newton_tie_with_tol_takes_a_step(submission, rng):
    """norm(grad(x0)) == tol exactly: API.md stops only when norm(grad(x)) < tol, so one step is taken."""
    f, grad, hess, x0, tol = _exact_tie(rng)
    _, n_iter = submission.newton_minimize(f, grad, hess, x0.copy(), tol)
    check_count(n_iter, 1, f"n_iter (norm(grad(x0)) == tol = {tol:g})", hints={"stops_at_equal_tol": 0, "n_iter_one_too_large": 2})


# --------------------------------------------------------------------------- line search


def _line_search_case(rng, kind):
    n = int(rng.integers(2, 10))
    if kind == "rosenbrock":
        f, grad, _ = rosenbrock()
        x = rng.uniform(-1.5, 1.5, 2)
    else:
        A, b = quadratic_problem(rng, n, cond=100.0)
        f, grad, _ = quartic_functions(A, b)
        x = rng.standard_normal(n)
    g = grad(x)
    B = spd(rng, len(x), 0.1, 3.0)
    p = -(B @ g) * 10 ** rng.uniform(-1, 1.5)  # a descent direction, not the steepest one
    return f, grad, x, p


def _line_search_hints(f, grad, x, p, alpha0, c, rho):
    """The alphas of the usual mistakes (each run from the same inputs)."""
    hints = {
        "line_search_missing_alpha": armijo_reference(f, grad, x, p, alpha0, c, rho, with_alpha=False)[0],
        "line_search_ignores_c": armijo_reference(f, grad, x, p, alpha0, 1e-4, rho)[0],
        "line_search_alpha0_not_tried": armijo_reference(f, grad, x, p, alpha0 * rho, c, rho)[0],
    }
    return {key: alpha for key, alpha in hints.items() if alpha is not None}


@pytest.mark.task("line_search")
@pytest.mark.parametrize("kind", ["quartic", "rosenbrock"])
def test_line_search_default_parameters(submission, rng, kind):
    """Default alpha0, c, rho: the first alpha0 * rho**k that meets the Armijo condition."""
    for _ in range(3):
        while True:
            f, grad, x, p = _line_search_case(rng, kind)
            expected, margin = armijo_reference(f, grad, x, p, 1.0, 1e-4, 0.5)
            if margin > 1e-9:  # stay away from ties with the Armijo bound
                break
        alpha = submission.backtracking_line_search(f, grad, x.copy(), p.copy())
        assert_scalar_close(alpha, expected, name="alpha", rtol=1e-12, hints=_line_search_hints(f, grad, x, p, 1.0, 1e-4, 0.5))


@pytest.mark.task("line_search")
def test_line_search_custom_parameters(submission, rng):
    """Non-default alpha0, c and rho are used (inputs drawn so that each of them changes the answer)."""
    for _ in range(3):
        while True:
            f, grad, x, p = _line_search_case(rng, "quartic")
            alpha0, c, rho = rng.uniform(0.5, 4.0), rng.uniform(0.05, 0.45), rng.uniform(0.2, 0.8)
            expected, margin = armijo_reference(f, grad, x, p, alpha0, c, rho)
            # every parameter must matter: at least one shrink (rho), and the default c
            # would have stopped earlier (c); alpha0 * rho**k is never a power of 0.5 here
            with_default_c, margin_c = armijo_reference(f, grad, x, p, alpha0, 1e-4, rho)
            if margin > 1e-9 and margin_c > 1e-9 and expected < alpha0 and with_default_c > expected:
                break
        alpha = submission.backtracking_line_search(f, grad, x.copy(), p.copy(), alpha0, c, rho)
        assert_scalar_close(alpha, expected, name="alpha", rtol=1e-12, hints=_line_search_hints(f, grad, x, p, alpha0, c, rho))


@pytest.mark.task("line_search")
def test_line_search_accepts_full_newton_step(submission, rng):
    """The Newton direction on a quadratic satisfies Armijo at alpha0 = 1 (c < 1/2): no shrink."""
    n = int(rng.integers(2, 10))
    A, b = quadratic_problem(rng, n, cond=1000.0)
    f, grad, _ = quadratic_functions(A, b)
    x = rng.standard_normal(n)
    p = -np.linalg.solve(A, grad(x))
    alpha = submission.backtracking_line_search(f, grad, x.copy(), p.copy())
    assert_scalar_close(alpha, 1.0, name="alpha", rtol=1e-12, hints=_line_search_hints(f, grad, x, p, 1.0, 1e-4, 0.5))


@pytest.mark.task("line_search")
def test_line_search_decrease_proportional_to_alpha(submission, rng):
    """The sufficient decrease is c * alpha * grad(x) @ p: it shrinks with alpha.

    On a quadratic along p = -beta H^-1 g, with u = alpha * beta, Armijo holds for
    u <= 2 (1 - c); with c = 0.1 and beta in [3.3, 3.55], alpha = 1 fails and alpha = 1/2
    holds (u = 1.65..1.78). The condition without alpha (f(x + alpha p) <= f(x) + c g @ p)
    fails at 1/2 and holds at 1/4.
    """
    n = int(rng.integers(2, 10))
    A, b = quadratic_problem(rng, n, cond=100.0)
    f, grad, _ = quadratic_functions(A, b)
    x = rng.standard_normal(n)
    p = -rng.uniform(3.3, 3.55) * np.linalg.solve(A, grad(x))
    expected = armijo_reference(f, grad, x, p, 1.0, 0.1, 0.5)[0]
    alpha = submission.backtracking_line_search(f, grad, x.copy(), p.copy(), 1.0, 0.1, 0.5)
    assert_scalar_close(alpha, expected, name="alpha", rtol=1e-12, hints=_line_search_hints(f, grad, x, p, 1.0, 0.1, 0.5))


@pytest.mark.task("line_search")
def test_line_search_many_shrinks(submission, rng):
    """A far too long direction needs many halvings; the first acceptable one is returned."""
    n = int(rng.integers(2, 6))
    A, b = quadratic_problem(rng, n, cond=10.0)
    f, grad, _ = quadratic_functions(A, b)
    while True:
        x = rng.standard_normal(n)
        p = -grad(x) * 10 ** rng.uniform(3, 5)
        expected, margin = armijo_reference(f, grad, x, p, 1.0, 1e-4, 0.5)
        if margin > 1e-9 and armijo_reference(f, grad, x, p, 1.0, 1e-4, 0.5, with_alpha=False)[1] > 1e-9:
            break
    alpha = submission.backtracking_line_search(f, grad, x.copy(), p.copy())
    assert_scalar_close(alpha, expected, name="alpha", rtol=1e-12, hints=_line_search_hints(f, grad, x, p, 1.0, 1e-4, 0.5))


# --------------------------------------------------------------------------- BFGS and L-BFGS


def _minimizer_params(names):
    return [pytest.param(name, marks=pytest.mark.task(task), id=name) for name, task in names]


MINIMIZERS = _minimizer_params([("bfgs_minimize", "bfgs"), ("lbfgs_minimize", "lbfgs")])


@pytest.mark.parametrize("name", MINIMIZERS)
def test_quasi_newton_rosenbrock(submission, name):
    """Rosenbrock from (-1.2, 1): within 1e-5 of (1, 1), in at most 200 steps."""
    f, grad, _ = rosenbrock()
    x, n_iter = getattr(submission, name)(f, grad, ROSENBROCK_START.copy())

    def check():
        check_point(x, ROSENBROCK_MIN, "x", rtol=0, atol=1e-5)
        check_at_most(n_iter, 200, "n_iter")

    _graded_with_own_line_search(submission, name, f, grad, ROSENBROCK_START, 10, x, n_iter, check)


# BFGS keeps its matrix when it skips a pair and converges superlinearly, so it is held to
# tol=1e-8 at condition numbers 1e3..1e4. L-BFGS *clears* its memory when s @ y <= 1e-10
# (an absolute threshold, API.md): near the minimum s @ y ~ norm(g)**2 / lambda_max falls
# below it and L-BFGS restarts from steepest descent, so it is held to the default tol
# at a moderate condition number (10..30), and to 1e-5 in x.
SETTINGS = {
    "bfgs_minimize": {"log_cond": (3.0, 4.0), "tol": 1e-8, "atol": 1e-6},
    "lbfgs_minimize": {"log_cond": (1.0, 1.5), "tol": 1e-6, "atol": 1e-5},
}


@pytest.mark.parametrize("name", MINIMIZERS)
def test_quasi_newton_ill_conditioned_quadratic(submission, rng, name):
    """An ill-conditioned quadratic (steepest descent would need thousands of steps)."""
    setting = SETTINGS[name]
    n = int(rng.integers(6, 13))
    A, x_star = quadratic_problem(rng, n, cond=10 ** rng.uniform(*setting["log_cond"]))
    f, grad, _ = centered_functions(A, x_star)
    x0 = x_star + rng.standard_normal(n)
    x, n_iter = getattr(submission, name)(f, grad, x0.copy(), tol=setting["tol"], max_iter=300 if name == "bfgs_minimize" else 500)

    def check():
        # smallest eigenvalue 1: |x - x*| <= norm(grad(x))
        check_point(x, x_star, "x", rtol=0, atol=setting["atol"])
        if name == "bfgs_minimize":
            # BFGS needs about 20 steps here; one that throws its matrix away when it skips a
            # (tiny, near the minimum) pair falls back to steepest descent and runs out of steps.
            check_at_most(np.linalg.norm(grad(np.asarray(x, dtype=np.float64))) / setting["tol"], 1.0, "norm(grad(x)) / tol")

    _graded_with_own_line_search(submission, name, f, grad, x0, 10, x, n_iter, check)


@pytest.mark.parametrize("name", MINIMIZERS)
def test_quasi_newton_convex_quartic(submission, rng, name):
    """A smooth strictly convex quartic: arrives at its unique minimiser."""
    setting = SETTINGS[name]
    n = int(rng.integers(3, 10))
    A, x_star = quadratic_problem(rng, n, cond=30.0)
    f, grad, _ = centered_functions(A, x_star, c=0.5)
    x0 = x_star + 2.0 * rng.standard_normal(n)
    x, n_iter = getattr(submission, name)(f, grad, x0.copy(), tol=setting["tol"])

    def check():
        check_point(x, x_star, "x", rtol=0, atol=setting["atol"])
        if name == "bfgs_minimize":
            check_at_most(np.linalg.norm(grad(np.asarray(x, dtype=np.float64))), 1e-8, "norm(grad(x))")

    _graded_with_own_line_search(submission, name, f, grad, x0, 10, x, n_iter, check)


@pytest.mark.parametrize("name", MINIMIZERS)
def test_quasi_newton_zero_steps_at_minimum(submission, rng, name):
    """n_iter = 0 and x = x0 when x0 already meets tol."""
    n = int(rng.integers(2, 8))
    A, x_star = quadratic_problem(rng, n, cond=10.0)
    f, grad, _ = centered_functions(A, x_star)
    direction = rng.standard_normal(n)
    x0 = x_star + direction / np.linalg.norm(A @ direction) * 0.3e-6
    x, n_iter = getattr(submission, name)(f, grad, x0.copy())
    check_count(n_iter, 0, "n_iter")
    check_point(x, x0, "x", rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", MINIMIZERS)
def test_quasi_newton_respects_max_iter(submission, name):
    """max_iter=3 on Rosenbrock: exactly three steps are taken."""
    f, grad, _ = rosenbrock()
    _, n_iter = getattr(submission, name)(f, grad, ROSENBROCK_START.copy(), max_iter=3)
    check_count(n_iter, 3, "n_iter", hints={"n_iter_last_loop_index": 2})


@pytest.mark.parametrize("name", MINIMIZERS)
def test_quasi_newton_tie_with_tol_takes_a_step(submission, rng, name):
    """norm(grad(x0)) == tol exactly: API.md stops only when norm(grad(x)) < tol, so a step is taken.

    On ``0.5 |x - x*|^2`` the first step (-g, alpha = 1 accepted) lands on x*: n_iter is 1.
    """
    f, grad, _, x0, tol = _exact_tie(rng)
    _, n_iter = getattr(submission, name)(f, grad, x0.copy(), tol=tol)
    check_count(n_iter, 1, f"n_iter (norm(grad(x0)) == tol = {tol:g})", hints={"stops_at_equal_tol": 0})


@pytest.mark.parametrize("name", MINIMIZERS)
def test_quasi_newton_loose_tol_is_absolute(submission, rng, name):
    """A loose custom tol (1e-3..1e-1) far from x0: the returned x meets norm(grad(x)) < tol itself."""
    n = int(rng.integers(3, 10))
    A, x_star = quadratic_problem(rng, n, cond=30.0)
    f, grad, _ = centered_functions(A, x_star, c=0.5)
    tol = 10 ** rng.uniform(-3, -1)
    x0 = x_star + 2.0 * rng.standard_normal(n)
    x, n_iter = getattr(submission, name)(f, grad, x0.copy(), tol=tol)

    def check():
        check_at_most(np.linalg.norm(grad(np.asarray(x, dtype=np.float64))) / tol, 1.0, "norm(grad(x)) / tol")
        check_at_most(n_iter, 200, "n_iter")

    _graded_with_own_line_search(submission, name, f, grad, x0, 10, x, n_iter, check)


def _call_minimizer(submission, name, f, grad, x0, m, steps):
    """The student's method with tol = 1e-12 (never met here) and max_iter = steps: its point after ``steps`` steps."""
    args = (f, grad, x0.copy(), 1e-12, steps) if name == "bfgs_minimize" else (f, grad, x0.copy(), m, 1e-12, steps)
    x, _ = getattr(submission, name)(*args)
    return x


def _graded_with_own_line_search(submission, name, f, grad, x0, m, x, steps, check, to_compared=lambda v: v):
    """Run ``check()``; when it fails, pass anyway if the method is right for the student's own line search.

    BFGS and L-BFGS call the student's ``backtracking_line_search`` (API.md). When that line
    search is wrong (it picks another step than API.md's somewhere along the way) and ``x`` is
    the point API.md's method reaches with it after ``steps`` steps (the student's ``n_iter``),
    the method passes with a note: the line search's own tests take the points.
    ``to_compared``: the quantity compared (scaled where the steps are tiny).
    """
    try:
        check()
    except AssertionError:
        count = _as_count(steps)
        own = None if count is None else _trace_with_own_line_search(submission, name, f, grad, x0, count, m)
        if own is None or np.shape(x) != own.shape or \
                not np.allclose(to_compared(np.asarray(x, dtype=np.float64)), to_compared(own), rtol=1e-6, atol=1e-8):
            raise
        note(f"{name} is right for your backtracking_line_search; the line search is wrong: see line_search")


def _as_count(value, largest=1000):
    """``value`` as an int in [0, largest], or None."""
    try:
        count = int(np.asarray(value).reshape(()))
    except (TypeError, ValueError):
        return None
    return count if 0 <= count <= largest else None


class _SameLineSearch(Exception):
    """The student's line search agreed with API.md's on the first steps: it is not what failed."""


def _trace_with_own_line_search(submission, name, f, grad, x0, steps, m, probe=20):
    """API.md's method run with the student's line search for ``steps`` steps: its last point.

    None when that line search cannot be used (it raises, returns something else than a
    number) or gives API.md's step on each of the first ``probe`` steps (then the method's
    own result, not the line search, is what differs; this bounds the calls).
    """
    if not submission.has("backtracking_line_search"):
        return None
    state = {"calls": 0, "differed": False}

    def own_line_search(f_, grad_, x, p):
        alpha = float(np.asarray(submission.backtracking_line_search(f_, grad_, x.copy(), p.copy()), dtype=np.float64).reshape(()))
        if not state["differed"]:
            state["differed"] = alpha != reference_line_search(f_, grad_, x, p)
        state["calls"] += 1
        if not state["differed"] and state["calls"] >= min(probe, steps):
            raise _SameLineSearch()
        return alpha

    try:
        x = quasi_newton_trace(name, f, grad, x0, steps, m, line_search=own_line_search)[0]
    except Exception:  # noqa: BLE001 (the same steps, or a line search that raised or returned something unusable)
        return None
    return x if state["differed"] else None


QUASI_NEWTON_MISTAKES = {
    "bfgs_minimize": ["bfgs_used_small_pair", "bfgs_reset_on_skip"],
    "lbfgs_minimize": ["lbfgs_kept_memory", "lbfgs_stored_small_pair", "lbfgs_keeps_m_plus_one"],
}


def _trace_hints(name, f, grad, x0, steps, m):
    return {mistake: reference_trace(name, f, grad, x0, steps, m, mistake)[0] for mistake in QUASI_NEWTON_MISTAKES[name]}


@pytest.mark.parametrize("name", MINIMIZERS)
def test_quasi_newton_pair_with_negative_curvature(submission, rng, name):
    """A non-convex function where a pair with s @ y < 0 comes after pairs that were used.

    API.md: BFGS skips such a pair (and keeps its matrix); L-BFGS clears its memory. With
    max_iter = k, the point after k steps is the k-th iterate of that method (line search
    with defaults), which the harness computes; inputs are redrawn until every decision
    (Armijo tests, s @ y against 1e-10) is far from a tie. For L-BFGS, m is small and the
    memory is full (m + 1 pairs seen) before the pair that clears it.
    """
    m = int(rng.integers(2, 4))
    case = negative_curvature_case(int(rng.integers(2**62)), name, m)
    f, grad = separable_log_functions(case["Q"], case["lam"], case["x_star"])
    steps = case["steps"]
    x = _call_minimizer(submission, name, f, grad, case["x0"], m, steps)
    expected = reference_trace(name, f, grad, case["x0"], steps, m)[0]
    hints = _trace_hints(name, f, grad, case["x0"], steps, m)
    _graded_with_own_line_search(submission, name, f, grad, case["x0"], m, x, steps,
                                 lambda: check_point(x, expected, f"x after {steps} steps (max_iter={steps})", hints=hints))


@pytest.mark.parametrize("name", MINIMIZERS)
def test_quasi_newton_small_positive_pair(submission, rng, name):
    """Pairs with 0 < s @ y <= 1e-10 near the minimiser of a quadratic: BFGS skips them, L-BFGS clears its memory.

    The threshold is API.md's 1e-10, not 0: code that uses every pair with s @ y > 0 takes
    quasi-Newton steps where API.md's method takes steepest-descent ones. Compared as
    ``(x - x*) / norm(x0 - x*)`` since the steps are tiny.
    """
    m = 10
    case = small_pair_case(int(rng.integers(2**62)), name)
    f, grad, _ = centered_functions(case["A"], case["x_star"])
    steps = case["steps"]
    x = _call_minimizer(submission, name, f, grad, case["x0"], m, steps)
    expected = reference_trace(name, f, grad, case["x0"], steps, m)[0]
    scaled = lambda v: (np.asarray(v, dtype=np.float64) - case["x_star"]) / case["scale"]  # noqa: E731
    hints = {mistake: scaled(value) for mistake, value in _trace_hints(name, f, grad, case["x0"], steps, m).items()}
    _graded_with_own_line_search(
        submission, name, f, grad, case["x0"], m, x, steps,
        lambda: check_point(scaled(x), scaled(expected), f"(x - x*) / norm(x0 - x*) after {steps} steps (max_iter={steps})", hints=hints),
        scaled)


def _bfgs_pairs(rng, n, k, symmetric=True):
    """k pairs (s, y) with s @ y > 0: y = A s for an SPD A, or a perturbed version of it."""
    A = spd(rng, n, 0.5, 20.0)
    s_list, y_list = [], []
    while len(s_list) < k:
        s = rng.standard_normal(n)
        y = A @ s if symmetric else A @ s + 0.3 * rng.standard_normal(n)
        if s @ y > 0.1 * np.linalg.norm(s) * np.linalg.norm(y):
            s_list.append(s)
            y_list.append(y)
    return s_list, y_list


LBFGS_DIRECTION_MISTAKES = ["lbfgs_direction_sign", "lbfgs_h0_oldest_pair", "lbfgs_no_initial_scaling", "lbfgs_loops_same_order",
                            "lbfgs_lists_newest_first"]


@pytest.mark.task("lbfgs")
@pytest.mark.parametrize("symmetric", [True, False], ids=["y_from_spd", "y_perturbed"])
def test_lbfgs_direction_matches_dense_bfgs(submission, rng, symmetric):
    """The two-loop recursion equals -H g with H the dense BFGS inverse built from the same pairs."""
    n = int(rng.integers(4, 15))
    k = int(rng.integers(2, min(n, 8) + 1))
    s_list, y_list = _bfgs_pairs(rng, n, k, symmetric)
    g = rng.standard_normal(n)
    hints = {mistake: two_loop(g, s_list, y_list, mistake) for mistake in LBFGS_DIRECTION_MISTAKES}
    p = submission.lbfgs_direction(g.copy(), [s.copy() for s in s_list], [y.copy() for y in y_list])
    check_point(p, dense_lbfgs_direction(g, s_list, y_list), "direction", rtol=1e-7, atol=1e-10, hints=hints)


@pytest.mark.task("lbfgs")
def test_lbfgs_direction_one_pair_and_empty(submission, rng):
    """One pair, and empty lists (then the direction is -g)."""
    n = int(rng.integers(3, 10))
    s_list, y_list = _bfgs_pairs(rng, n, 1)
    g = rng.standard_normal(n)
    hints = {mistake: two_loop(g, s_list, y_list, mistake) for mistake in LBFGS_DIRECTION_MISTAKES}
    p = submission.lbfgs_direction(g.copy(), [s_list[0].copy()], [y_list[0].copy()])
    check_point(p, dense_lbfgs_direction(g, s_list, y_list), "direction (one pair)", rtol=1e-7, atol=1e-10, hints=hints)
    p = submission.lbfgs_direction(g.copy(), [], [])
    check_point(p, -g, "direction (no pairs)", hints={"lbfgs_direction_sign": g})


@pytest.mark.task("lbfgs")
def test_lbfgs_small_memory(submission, rng):
    """m = 2 still reaches the minimiser of a quadratic with condition number 10."""
    n = int(rng.integers(6, 13))
    A, x_star = quadratic_problem(rng, n, cond=10.0)
    f, grad, _ = centered_functions(A, x_star)
    x0 = x_star + rng.standard_normal(n)
    x, n_iter = submission.lbfgs_minimize(f, grad, x0.copy(), 2, 1e-6, 500)
    _graded_with_own_line_search(submission, "lbfgs_minimize", f, grad, x0, 2, x, n_iter,
                                 lambda: check_point(x, x_star, "x", rtol=0, atol=1e-5))


# --------------------------------------------------------------------------- conjugate gradient


@pytest.mark.task("cg")
def test_cg_well_conditioned(submission, rng):
    """A well-conditioned SPD system: solution, tol criterion met, at most n + 2 iterations."""
    n = int(rng.integers(5, 40))
    A = spd(rng, n, 1.0, 10.0)
    b = rng.standard_normal(n)
    x, n_iter = submission.conjugate_gradient(A.copy(), b.copy())
    check_point(x, np.linalg.solve(A, b), "x", rtol=1e-7, atol=1e-9,
                hints={"cg_squared_residual": cg_reference(A, b, mistake="cg_squared_residual")[0]})
    x = np.asarray(x, dtype=np.float64)
    check_at_most(np.linalg.norm(b - A @ x) / np.linalg.norm(b), 2e-10, "norm(b - A x) / norm(b)")
    check_at_most(n_iter, n + 2, "n_iter")


@pytest.mark.task("cg")
def test_cg_few_distinct_eigenvalues(submission, rng):
    """An SPD matrix with k distinct eigenvalues: CG finishes in about k iterations, whatever n."""
    n = int(rng.integers(30, 60))
    k = int(rng.integers(3, 6))
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    values = np.linspace(1.0, 8.0, k)
    eig = values[np.arange(n) % k]
    A = (Q * eig) @ Q.T
    A = 0.5 * (A + A.T)
    b = rng.standard_normal(n)
    x, n_iter = submission.conjugate_gradient(A.copy(), b.copy(), None, 1e-8)
    check_point(x, np.linalg.solve(A, b), "x", rtol=1e-6, atol=1e-8)
    check_at_most(n_iter, k + 1, "n_iter")


@pytest.mark.task("cg")
def test_cg_ill_conditioned_default_max_iter(submission, rng):
    """Condition number 1e4: more than n iterations may be needed; the default max_iter is 10 n."""
    n = int(rng.integers(20, 40))
    A, _ = quadratic_problem(rng, n, cond=1e4)
    b = rng.standard_normal(n)
    x, n_iter = submission.conjugate_gradient(A.copy(), b.copy(), None, 1e-9)
    check_point(x, np.linalg.solve(A, b), "x", rtol=1e-4, atol=1e-5,
                hints={"cg_max_iter_n": cg_reference(A, b, None, 1e-9, mistake="cg_max_iter_n")[0]})
    x = np.asarray(x, dtype=np.float64)
    check_at_most(np.linalg.norm(b - A @ x) / np.linalg.norm(b), 2e-9, "norm(b - A x) / norm(b)")


@pytest.mark.task("cg")
def test_cg_iterates_are_krylov_minimisers(submission, rng):
    """max_iter=k stops after k iterations at the k-th CG iterate (from a given x0)."""
    n = int(rng.integers(10, 30))
    A = spd(rng, n, 1.0, 20.0)
    b, x0 = rng.standard_normal(n), rng.standard_normal(n)
    for k in (1, 3):
        x, n_iter = submission.conjugate_gradient(A.copy(), b.copy(), x0.copy(), 1e-12, k)
        check_point(x, krylov_iterate(A, b, x0, k), f"x after {k} iteration(s)", rtol=1e-7, atol=1e-9,
                    hints={"cg_ignores_x0": krylov_iterate(A, b, np.zeros(n), k)})
        check_count(n_iter, k, "n_iter")


@pytest.mark.task("cg")
def test_cg_tolerance_relative_to_norm_b(submission, rng):
    """b of norm 1e-6..1e-4 and 1e4..1e6: the stopping rule is norm(r) <= tol * norm(b), scale-free."""
    n = int(rng.integers(5, 30))
    A = spd(rng, n, 1.0, 10.0)
    direction = rng.standard_normal(n)
    for scale in (10 ** rng.uniform(-6, -4), 10 ** rng.uniform(4, 6)):
        b = scale * direction / np.linalg.norm(direction)
        x, n_iter = submission.conjugate_gradient(A.copy(), b.copy())
        check_point(np.asarray(x, dtype=np.float64) / scale, np.linalg.solve(A, b) / scale, "x / norm(b)", rtol=1e-7, atol=1e-9,
                    hints={"cg_absolute_tol": cg_reference(A, b, mistake="cg_absolute_tol")[0] / scale})
        x = np.asarray(x, dtype=np.float64)
        check_at_most(np.linalg.norm(b - A @ x) / np.linalg.norm(b), 2e-10, f"norm(b - A x) / norm(b) with norm(b) = {scale:.1e}")
        check_at_most(n_iter, n + 2, f"n_iter with norm(b) = {scale:.1e}")


@pytest.mark.task("cg")
def test_cg_zero_iterations_from_solution(submission, rng):
    """x0 already meets tol (norm(r0) = 0.3 tol norm(b)): n_iter = 0 and x = x0.

    n >= 30, so that CG from zeros stops on the tolerance before it has converged exactly
    (code that ignores x0 then lands elsewhere than code that iterates from x0).
    """
    n = int(rng.integers(30, 50))
    A = spd(rng, n, 1.0, 10.0)
    b = rng.standard_normal(n)
    direction = rng.standard_normal(n)
    x0 = np.linalg.solve(A, b) + direction / np.linalg.norm(A @ direction) * 0.3e-6 * np.linalg.norm(b)
    x, n_iter = submission.conjugate_gradient(A.copy(), b.copy(), x0.copy(), 1e-6)
    # compared as (x - x0) / norm(x* - x0): the offset is tiny, and so are the differences between wrong answers
    offset = float(np.linalg.norm(x0 - np.linalg.solve(A, b)))
    moved = lambda v: (np.asarray(v, dtype=np.float64) - x0) / offset  # noqa: E731
    check_point(moved(x), np.zeros(n), "(x - x0) / norm(x* - x0)", rtol=0, atol=1e-12 / offset,
                hints={"cg_tol_relative_to_r0": moved(cg_reference(A, b, x0, 1e-6, mistake="cg_tol_relative_to_r0")[0])})
    check_count(n_iter, 0, "n_iter")


def _cg_tie_case(rng):
    """``A, b, x0, tol`` with ``norm(b - A x0) == tol * norm(b)`` exactly in floating point.

    A is diagonal with powers of two, b = (3, 4) s and r0 = (3, 4) tol s on two coordinates
    each (norms 5 s and 5 tol s are exact), x0 = A^-1 (b - r0): dyadic numbers only. Redrawn
    until the usual wrong stopping rules end with other counts than the strict rule (one step
    from x0): an absolute tol, tol relative to r0, and starting from zeros take two.
    """
    while True:
        n = int(rng.integers(3, 9))
        A = np.diag(2.0 ** rng.integers(0, 4, n).astype(np.float64))
        s = 2.0 ** int(rng.integers(0, 4))
        tol = 2.0 ** -int(rng.integers(10, 21))
        b, r0 = np.zeros(n), np.zeros(n)
        b[rng.choice(n, 2, replace=False)] = np.array([3.0, 4.0]) * s * rng.choice([-1.0, 1.0], 2)
        r0[rng.choice(n, 2, replace=False)] = np.array([3.0, 4.0]) * tol * s * rng.choice([-1.0, 1.0], 2)
        x0 = (b - r0) / np.diag(A)
        strict = cg_reference(A, b, x0, tol, mistake="cg_strict_stopping_rule")[1]
        others = [cg_reference(A, b, x0, tol, mistake=mistake)[1] for mistake in ("cg_absolute_tol", "cg_tol_relative_to_r0")]
        others.append(cg_reference(A, b, None, tol)[1])
        if cg_reference(A, b, x0, tol)[1] == 0 and strict == 1 and 1 not in others:
            return A, b, x0, tol


@pytest.mark.task("cg")
def test_cg_tie_with_tol_stops(submission, rng):
    """norm(r0) == tol * norm(b) exactly: API.md stops at norm(r) <= tol * norm(b), so n_iter = 0."""
    A, b, x0, tol = _cg_tie_case(rng)
    x, n_iter = submission.conjugate_gradient(A.copy(), b.copy(), x0.copy(), tol)
    check_count(n_iter, 0, f"n_iter (norm(r0) == tol * norm(b) with tol = {tol:g})",
                hints={"cg_strict_stopping_rule": cg_reference(A, b, x0, tol, mistake="cg_strict_stopping_rule")[1]})


@pytest.mark.task("cg")
def test_cg_zero_right_hand_side(submission, rng):
    """b = 0 and x0 = None: norm(r) = 0 <= tol * norm(b) = 0 holds at once: x = 0, n_iter = 0."""
    n = int(rng.integers(3, 15))
    A = spd(rng, n, 1.0, 10.0)
    x, n_iter = submission.conjugate_gradient(A.copy(), np.zeros(n))
    check_point(x, np.zeros(n), "x", rtol=0, atol=0)
    check_count(n_iter, 0, "n_iter")
