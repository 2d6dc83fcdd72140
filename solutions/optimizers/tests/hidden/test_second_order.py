"""Hidden tests of Newton, line search, BFGS, L-BFGS and conjugate gradient.

These methods are checked by where they arrive (and generous iteration budgets),
never by exact iteration counts, except where API.md defines the count
(n_iter = 0 when x0 already meets tol; one Newton step on a quadratic).
"""

import numpy as np
import pytest

from autograder.testing import assert_close, assert_scalar_close, float32_tolerances

ROSENBROCK_START = np.array([-1.2, 1.0])
ROSENBROCK_MIN = np.array([1.0, 1.0])


def _spd(rng, n, lo=1.0, hi=10.0):
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = (Q * rng.uniform(lo, hi, n)) @ Q.T
    return 0.5 * (A + A.T)


# --------------------------------------------------------------------------- newton


@pytest.mark.task("newton")
def test_newton_step_matches_solve(submission, rng):
    """x - solve(H, g) for random SPD and symmetric indefinite H of random size."""
    for _ in range(3):
        n = int(rng.integers(2, 20))
        H = _spd(rng, n)
        x, g = rng.standard_normal(n), rng.standard_normal(n)
        assert_close(submission.newton_step(x.copy(), g.copy(), H.copy()), x - np.linalg.solve(H, g), name="x_next")
    n = int(rng.integers(3, 12))
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eig = rng.uniform(1.0, 5.0, n) * rng.choice([-1.0, 1.0], n)
    H = 0.5 * ((Q * eig) @ Q.T + ((Q * eig) @ Q.T).T)
    x, g = rng.standard_normal(n), rng.standard_normal(n)
    assert_close(
        submission.newton_step(x.copy(), g.copy(), H.copy()),
        x - np.linalg.solve(H, g),
        name="x_next (indefinite H)",
        hints={"used H @ g instead of solving H d = g": x - H @ g, "added the step instead of subtracting it": x + np.linalg.solve(H, g)},
    )


@pytest.mark.task("newton")
def test_newton_step_float32(submission, rng):
    """float32 inputs: the step at float32 tolerances."""
    n = int(rng.integers(2, 10))
    H = _spd(rng, n).astype(np.float32)
    x, g = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    expected = x.astype(np.float64) - np.linalg.solve(H.astype(np.float64), g.astype(np.float64))
    assert_close(submission.newton_step(x.copy(), g.copy(), H.copy()), expected, name="x_next", **float32_tolerances)


@pytest.mark.task("newton")
def test_newton_quadratic_in_one_step(submission, rng, helpers):
    """On a quadratic, Newton's method lands on the minimiser in exactly one step."""
    n = int(rng.integers(3, 15))
    A, b = helpers.quadratic_problem(rng, n, cond=10 ** rng.uniform(1, 3))
    f, grad, hess = helpers.quadratic_functions(A, b)
    x0 = rng.standard_normal(n)
    x, n_iter = submission.newton_minimize(f, grad, hess, x0.copy())
    assert_close(x, np.linalg.solve(A, b), name="x", rtol=1e-7, atol=1e-9)
    helpers.check_int(n_iter, 1, "n_iter")


@pytest.mark.task("newton")
def test_newton_rosenbrock(submission, helpers):
    """Rosenbrock from (-1.2, 1): within 1e-5 of (1, 1)."""
    f, grad, hess = helpers.rosenbrock()
    x, n_iter = submission.newton_minimize(f, grad, hess, ROSENBROCK_START.copy())
    assert_close(x, ROSENBROCK_MIN, name="x", rtol=0, atol=1e-5)
    helpers.check_at_most(n_iter, 100, "n_iter")


@pytest.mark.task("newton")
def test_newton_non_quadratic_convex(submission, rng, helpers):
    """A smooth strictly convex quartic in n dimensions: arrives at its unique minimiser."""
    n = int(rng.integers(3, 10))
    A, x_star = helpers.quadratic_problem(rng, n, cond=10.0)
    f, grad, hess = helpers.centered_functions(A, x_star, c=0.5)
    x0 = x_star + 2.0 * rng.standard_normal(n)
    x, n_iter = submission.newton_minimize(f, grad, hess, x0.copy(), tol=1e-10)
    assert_close(x, x_star, name="x", rtol=1e-7, atol=1e-9)
    helpers.check_at_most(np.linalg.norm(grad(np.asarray(x, dtype=np.float64))), 1e-10, "norm(grad(x))")
    helpers.check_at_most(n_iter, 60, "n_iter")


@pytest.mark.task("newton")
def test_newton_loose_tol_is_absolute(submission, rng, helpers):
    """A loose custom tol (1e-3..1e-1) far from x0: the returned x meets norm(grad(x)) < tol itself.

    Catches a tolerance taken relative to norm(grad(x0)): Newton's gradient norms fall by a
    factor of a few per step on this quartic before the quadratic phase, so an iterate with
    tol <= norm(grad) < tol * norm(grad(x0)) always exists.
    """
    n = int(rng.integers(3, 10))
    A, x_star = helpers.quadratic_problem(rng, n, cond=10.0)
    f, grad, hess = helpers.centered_functions(A, x_star, c=0.5)
    x0 = x_star + 2.0 * rng.standard_normal(n)
    tol = 10 ** rng.uniform(-3, -1)
    x, n_iter = submission.newton_minimize(f, grad, hess, x0.copy(), tol)
    helpers.check_at_most(np.linalg.norm(grad(np.asarray(x, dtype=np.float64))) / tol, 1.0, "norm(grad(x)) / tol")
    helpers.check_at_most(n_iter, 60, "n_iter")


@pytest.mark.task("newton")
def test_newton_zero_steps_when_x0_meets_tol(submission, rng, helpers):
    """n_iter = 0 and x = x0 when norm(grad(x0)) < tol, with the default and with a custom tol."""
    n = int(rng.integers(2, 8))
    A, b = helpers.quadratic_problem(rng, n, cond=10.0)
    f, grad, hess = helpers.quadratic_functions(A, b)
    x_star = np.linalg.solve(A, b)
    for tol in (1e-8, 10 ** rng.uniform(-4, -2)):
        direction = rng.standard_normal(n)
        # grad(x0) = A (x0 - x*): scale the offset so that norm(grad(x0)) = 0.3 * tol
        offset = direction / np.linalg.norm(A @ direction) * 0.3 * tol
        x0 = x_star + offset
        args = (f, grad, hess, x0.copy()) if tol == 1e-8 else (f, grad, hess, x0.copy(), tol)
        x, n_iter = submission.newton_minimize(*args)
        helpers.check_int(n_iter, 0, f"n_iter (norm(grad(x0)) below tol={tol:.1e})")
        assert_close(x, x0, name="x", rtol=0, atol=1e-12)


@pytest.mark.task("newton")
def test_newton_respects_max_iter(submission, helpers):
    """max_iter=2 on Rosenbrock (which needs more): exactly two steps are taken."""
    f, grad, hess = helpers.rosenbrock()
    _, n_iter = submission.newton_minimize(f, grad, hess, ROSENBROCK_START.copy(), 1e-8, 2)
    helpers.check_int(n_iter, 2, "n_iter")


# --------------------------------------------------------------------------- line search


def _armijo_oracle(f, grad, x, p, alpha0, c, rho):
    """The first alpha0 * rho**k meeting Armijo, and the margin of the decisions taken."""
    fx, slope = f(x), float(grad(x) @ p)
    alpha, margins = alpha0, []
    for _ in range(200):
        gap = f(x + alpha * p) - (fx + c * alpha * slope)
        margins.append(abs(gap) / (abs(fx) + 1.0))
        if gap <= 0:
            return alpha, min(margins)
        alpha *= rho
    raise RuntimeError("the harness found no Armijo step")


def _line_search_case(rng, helpers, kind):
    n = int(rng.integers(2, 10))
    if kind == "rosenbrock":
        f, grad, _ = helpers.rosenbrock()
        x = rng.uniform(-1.5, 1.5, 2)
    else:
        A, b = helpers.quadratic_problem(rng, n, cond=100.0)
        f, grad, _ = helpers.quartic_functions(A, b)
        x = rng.standard_normal(n)
    g = grad(x)
    B = _spd(rng, len(x), 0.1, 3.0)
    p = -(B @ g) * 10 ** rng.uniform(-1, 1.5)  # a descent direction, not the steepest one
    return f, grad, x, p


@pytest.mark.task("line_search")
@pytest.mark.parametrize("kind", ["quartic", "rosenbrock"])
def test_line_search_default_parameters(submission, rng, helpers, kind):
    """Default alpha0, c, rho: the first alpha0 * rho**k that meets the Armijo condition."""
    for _ in range(3):
        while True:
            f, grad, x, p = _line_search_case(rng, helpers, kind)
            expected, margin = _armijo_oracle(f, grad, x, p, 1.0, 1e-4, 0.5)
            if margin > 1e-9:  # stay away from ties with the Armijo bound
                break
        alpha = submission.backtracking_line_search(f, grad, x.copy(), p.copy())
        assert_scalar_close(alpha, expected, name="alpha", rtol=1e-12, hints={"returned the step before the last shrink": expected / 0.5})


@pytest.mark.task("line_search")
def test_line_search_custom_parameters(submission, rng, helpers):
    """Non-default alpha0, c and rho are used (inputs drawn so that each of them changes the answer)."""
    for _ in range(3):
        while True:
            f, grad, x, p = _line_search_case(rng, helpers, "quartic")
            alpha0, c, rho = rng.uniform(0.5, 4.0), rng.uniform(0.05, 0.45), rng.uniform(0.2, 0.8)
            expected, margin = _armijo_oracle(f, grad, x, p, alpha0, c, rho)
            # every parameter must matter: at least one shrink (rho), and the default c
            # would have stopped earlier (c); alpha0 * rho**k is never a power of 0.5 here
            with_default_c, margin_c = _armijo_oracle(f, grad, x, p, alpha0, 1e-4, rho)
            if margin > 1e-9 and margin_c > 1e-9 and expected < alpha0 and with_default_c > expected:
                break
        alpha = submission.backtracking_line_search(f, grad, x.copy(), p.copy(), alpha0, c, rho)
        assert_scalar_close(alpha, expected, name="alpha", rtol=1e-12)


@pytest.mark.task("line_search")
def test_line_search_accepts_full_newton_step(submission, rng, helpers):
    """The Newton direction on a quadratic satisfies Armijo at alpha0 = 1 (c < 1/2): no shrink."""
    n = int(rng.integers(2, 10))
    A, b = helpers.quadratic_problem(rng, n, cond=1000.0)
    f, grad, _ = helpers.quadratic_functions(A, b)
    x = rng.standard_normal(n)
    p = -np.linalg.solve(A, grad(x))
    alpha = submission.backtracking_line_search(f, grad, x.copy(), p.copy())
    assert_scalar_close(alpha, 1.0, name="alpha", rtol=1e-12)


@pytest.mark.task("line_search")
def test_line_search_many_shrinks(submission, rng, helpers):
    """A far too long direction needs many halvings; the first acceptable one is returned."""
    n = int(rng.integers(2, 6))
    A, b = helpers.quadratic_problem(rng, n, cond=10.0)
    f, grad, _ = helpers.quadratic_functions(A, b)
    while True:
        x = rng.standard_normal(n)
        p = -grad(x) * 10 ** rng.uniform(3, 5)
        expected, margin = _armijo_oracle(f, grad, x, p, 1.0, 1e-4, 0.5)
        if margin > 1e-9:
            break
    alpha = submission.backtracking_line_search(f, grad, x.copy(), p.copy())
    assert_scalar_close(alpha, expected, name="alpha", rtol=1e-12)


# --------------------------------------------------------------------------- BFGS and L-BFGS


def _minimizer_params(names):
    return [pytest.param(name, marks=pytest.mark.task(task), id=name) for name, task in names]


MINIMIZERS = _minimizer_params([("bfgs_minimize", "bfgs"), ("lbfgs_minimize", "lbfgs")])


@pytest.mark.parametrize("name", MINIMIZERS)
def test_quasi_newton_rosenbrock(submission, helpers, name):
    """Rosenbrock from (-1.2, 1): within 1e-5 of (1, 1), in at most 200 steps."""
    f, grad, _ = helpers.rosenbrock()
    x, n_iter = getattr(submission, name)(f, grad, ROSENBROCK_START.copy())
    assert_close(x, ROSENBROCK_MIN, name="x", rtol=0, atol=1e-5)
    helpers.check_at_most(n_iter, 200, "n_iter")


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
def test_quasi_newton_ill_conditioned_quadratic(submission, rng, helpers, name):
    """An ill-conditioned quadratic (steepest descent would need thousands of steps)."""
    setting = SETTINGS[name]
    n = int(rng.integers(6, 13))
    A, x_star = helpers.quadratic_problem(rng, n, cond=10 ** rng.uniform(*setting["log_cond"]))
    f, grad, _ = helpers.centered_functions(A, x_star)
    x0 = x_star + rng.standard_normal(n)
    x, _ = getattr(submission, name)(f, grad, x0.copy(), tol=setting["tol"], max_iter=300 if name == "bfgs_minimize" else 500)
    # smallest eigenvalue 1: |x - x*| <= norm(grad(x))
    assert_close(x, x_star, name="x", rtol=0, atol=setting["atol"])
    if name == "bfgs_minimize":
        # BFGS needs about 20 steps here; one that throws its matrix away when it skips a
        # (tiny, near the minimum) pair falls back to steepest descent and runs out of steps.
        helpers.check_at_most(np.linalg.norm(grad(np.asarray(x, dtype=np.float64))) / setting["tol"], 1.0, "norm(grad(x)) / tol")


@pytest.mark.parametrize("name", MINIMIZERS)
def test_quasi_newton_convex_quartic(submission, rng, helpers, name):
    """A smooth strictly convex quartic: arrives at its unique minimiser."""
    setting = SETTINGS[name]
    n = int(rng.integers(3, 10))
    A, x_star = helpers.quadratic_problem(rng, n, cond=30.0)
    f, grad, _ = helpers.centered_functions(A, x_star, c=0.5)
    x, _ = getattr(submission, name)(f, grad, x_star + 2.0 * rng.standard_normal(n), tol=setting["tol"])
    assert_close(x, x_star, name="x", rtol=0, atol=setting["atol"])
    if name == "bfgs_minimize":
        helpers.check_at_most(np.linalg.norm(grad(np.asarray(x, dtype=np.float64))), 1e-8, "norm(grad(x))")


@pytest.mark.parametrize("name", MINIMIZERS)
def test_quasi_newton_zero_steps_at_minimum(submission, rng, helpers, name):
    """n_iter = 0 and x = x0 when x0 already meets tol."""
    n = int(rng.integers(2, 8))
    A, x_star = helpers.quadratic_problem(rng, n, cond=10.0)
    f, grad, _ = helpers.centered_functions(A, x_star)
    direction = rng.standard_normal(n)
    x0 = x_star + direction / np.linalg.norm(A @ direction) * 0.3e-6
    x, n_iter = getattr(submission, name)(f, grad, x0.copy())
    helpers.check_int(n_iter, 0, "n_iter")
    assert_close(x, x0, name="x", rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", MINIMIZERS)
def test_quasi_newton_respects_max_iter(submission, helpers, name):
    """max_iter=3 on Rosenbrock: exactly three steps are taken."""
    f, grad, _ = helpers.rosenbrock()
    _, n_iter = getattr(submission, name)(f, grad, ROSENBROCK_START.copy(), max_iter=3)
    helpers.check_int(n_iter, 3, "n_iter")


@pytest.mark.parametrize("name", MINIMIZERS)
def test_quasi_newton_loose_tol_is_absolute(submission, rng, helpers, name):
    """A loose custom tol (1e-3..1e-1) far from x0: the returned x meets norm(grad(x)) < tol itself."""
    n = int(rng.integers(3, 10))
    A, x_star = helpers.quadratic_problem(rng, n, cond=30.0)
    f, grad, _ = helpers.centered_functions(A, x_star, c=0.5)
    tol = 10 ** rng.uniform(-3, -1)
    x, n_iter = getattr(submission, name)(f, grad, x_star + 2.0 * rng.standard_normal(n), tol=tol)
    helpers.check_at_most(np.linalg.norm(grad(np.asarray(x, dtype=np.float64))) / tol, 1.0, "norm(grad(x)) / tol")
    helpers.check_at_most(n_iter, 200, "n_iter")


def _separable_log_problem(rng):
    """f(x) = sum_i log(1 + lam_i z_i**2), z = Q^T (x - x*): unique minimiser x*, not convex.

    Each term is concave for |z_i| > 1/sqrt(lam_i), so far from x* a step can give s @ y < 0.
    """
    n = int(rng.integers(3, 8))
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    lam = np.exp(rng.uniform(0.0, np.log(10.0), n))
    x_star = rng.standard_normal(n)

    def f(x):
        z = Q.T @ (x - x_star)
        return float(np.sum(np.log1p(lam * z**2)))

    def grad(x):
        z = Q.T @ (x - x_star)
        return Q @ (2.0 * lam * z / (1.0 + lam * z**2))

    d = rng.standard_normal(n)
    x0 = x_star + rng.uniform(3.0, 5.0) * d / np.linalg.norm(d)
    return f, grad, x0


def _two_loop(g, s_list, y_list):
    q, alphas = g.copy(), []
    for s, y in zip(reversed(s_list), reversed(y_list)):
        a = (s @ q) / (y @ s)
        q = q - a * y
        alphas.append(a)
    if s_list:
        q = q * (s_list[-1] @ y_list[-1]) / (y_list[-1] @ y_list[-1])
    for (s, y), a in zip(zip(s_list, y_list), reversed(alphas)):
        q = q + (a - (y @ q) / (y @ s)) * s
    return -q


def _quasi_newton_trace(method, f, grad, x0, steps, m):
    """API.md's BFGS (m unused) or L-BFGS for ``steps`` steps.

    Returns (x after the last step, one letter per step: 'u' pair used, 'N' pair with
    s @ y <= 1e-10, the smallest relative margin of any decision taken: Armijo tests and
    the s @ y threshold).
    """
    x = np.array(x0, dtype=np.float64)
    n = len(x)
    I = np.eye(n)
    H, s_list, y_list = I.copy(), [], []
    g = grad(x)
    kinds, margin = [], np.inf
    for _ in range(steps):
        p = -H @ g if method == "bfgs_minimize" else _two_loop(g, s_list, y_list)
        fx, slope = f(x), float(g @ p)
        alpha = 1.0
        for _ in range(200):
            gap = f(x + alpha * p) - (fx + 1e-4 * alpha * slope)
            margin = min(margin, abs(gap) / (abs(fx) + 1.0))
            if gap <= 0:
                break
            alpha *= 0.5
        s = alpha * p
        x = x + s
        g_new = grad(x)
        y = g_new - g
        sy = float(s @ y)
        margin = min(margin, abs(sy - 1e-10) / (np.linalg.norm(s) * np.linalg.norm(y) + 1e-300))
        if sy > 1e-10:
            kinds.append("u")
            if method == "bfgs_minimize":
                r = 1.0 / sy
                H = (I - r * np.outer(s, y)) @ H @ (I - r * np.outer(y, s)) + r * np.outer(s, s)
            else:
                s_list.append(s)
                y_list.append(y)
                if len(s_list) > m:
                    s_list.pop(0)
                    y_list.pop(0)
        else:
            kinds.append("N")
            s_list, y_list = [], []
        g = g_new
    return x, "".join(kinds), margin


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
    need = "u" if name == "bfgs_minimize" else "u" * (m + 1)
    for _ in range(500):
        f, grad, x0 = _separable_log_problem(rng)
        _, kinds, _ = _quasi_newton_trace(name, f, grad, x0, 16, m)
        j = kinds.find(need + "N")
        if j < 0:
            continue
        steps = j + len(need) + 4  # the pair with s @ y < 0, then three more steps
        x_expected, kinds, margin = _quasi_newton_trace(name, f, grad, x0, steps, m)
        if margin > 1e-8:
            break
    else:
        raise RuntimeError("the harness found no suitable problem")
    args = (f, grad, x0.copy(), 1e-12, steps) if name == "bfgs_minimize" else (f, grad, x0.copy(), m, 1e-12, steps)
    x, n_iter = getattr(submission, name)(*args)
    assert_close(x, x_expected, name=f"x after {steps} steps (max_iter={steps})", rtol=1e-6, atol=1e-8)


def _bfgs_pairs(rng, n, k, symmetric=True):
    """k pairs (s, y) with s @ y > 0: y = A s for an SPD A, or a perturbed version of it."""
    A = _spd(rng, n, 0.5, 20.0)
    s_list, y_list = [], []
    while len(s_list) < k:
        s = rng.standard_normal(n)
        y = A @ s if symmetric else A @ s + 0.3 * rng.standard_normal(n)
        if s @ y > 0.1 * np.linalg.norm(s) * np.linalg.norm(y):
            s_list.append(s)
            y_list.append(y)
    return s_list, y_list


def _dense_lbfgs_direction(g, s_list, y_list):
    n = len(g)
    if not s_list:
        return -g
    gamma = (s_list[-1] @ y_list[-1]) / (y_list[-1] @ y_list[-1])
    H = gamma * np.eye(n)
    for s, y in zip(s_list, y_list):
        r = 1.0 / (y @ s)
        V = np.eye(n) - r * np.outer(y, s)
        H = V.T @ H @ V + r * np.outer(s, s)
    return -H @ g


@pytest.mark.task("lbfgs")
@pytest.mark.parametrize("symmetric", [True, False], ids=["y_from_spd", "y_perturbed"])
def test_lbfgs_direction_matches_dense_bfgs(submission, rng, symmetric):
    """The two-loop recursion equals -H g with H the dense BFGS inverse built from the same pairs."""
    n = int(rng.integers(4, 15))
    k = int(rng.integers(2, min(n, 8) + 1))
    s_list, y_list = _bfgs_pairs(rng, n, k, symmetric)
    g = rng.standard_normal(n)
    expected = _dense_lbfgs_direction(g, s_list, y_list)
    hints = {"returned H g instead of -H g": -expected}
    if k > 1:  # the same pairs with H0 scaled by the OLDEST pair
        gamma = (s_list[0] @ y_list[0]) / (y_list[0] @ y_list[0])
        H = gamma * np.eye(n)
        for s, y in zip(s_list, y_list):
            r = 1.0 / (y @ s)
            V = np.eye(n) - r * np.outer(y, s)
            H = V.T @ H @ V + r * np.outer(s, s)
        hints["scaled H0 with the oldest pair instead of the newest"] = -H @ g
    p = submission.lbfgs_direction(g.copy(), [s.copy() for s in s_list], [y.copy() for y in y_list])
    assert_close(p, expected, name="direction", rtol=1e-7, atol=1e-10, hints=hints)


@pytest.mark.task("lbfgs")
def test_lbfgs_direction_one_pair_and_empty(submission, rng):
    """One pair, and empty lists (then the direction is -g)."""
    n = int(rng.integers(3, 10))
    s_list, y_list = _bfgs_pairs(rng, n, 1)
    g = rng.standard_normal(n)
    p = submission.lbfgs_direction(g.copy(), [s_list[0].copy()], [y_list[0].copy()])
    assert_close(p, _dense_lbfgs_direction(g, s_list, y_list), name="direction (one pair)", rtol=1e-7, atol=1e-10)
    p = submission.lbfgs_direction(g.copy(), [], [])
    assert_close(p, -g, name="direction (no pairs)", hints={"returned g instead of -g": g})


@pytest.mark.task("lbfgs")
def test_lbfgs_small_memory(submission, rng, helpers):
    """m = 2 still reaches the minimiser of a quadratic with condition number 10."""
    n = int(rng.integers(6, 13))
    A, x_star = helpers.quadratic_problem(rng, n, cond=10.0)
    f, grad, _ = helpers.centered_functions(A, x_star)
    x, _ = submission.lbfgs_minimize(f, grad, x_star + rng.standard_normal(n), 2, 1e-6, 500)
    assert_close(x, x_star, name="x", rtol=0, atol=1e-5)


# --------------------------------------------------------------------------- conjugate gradient


def _krylov_iterate(A, b, x0, k):
    """The k-th CG iterate: the minimiser of the A-norm error over x0 + span{r0, A r0, ...}."""
    r0 = b - A @ x0
    K = np.empty((len(b), k))
    v = r0.copy()
    for j in range(k):
        K[:, j] = v
        v = A @ v
    Q, _ = np.linalg.qr(K)
    return x0 + Q @ np.linalg.solve(Q.T @ A @ Q, Q.T @ r0)


@pytest.mark.task("cg")
def test_cg_well_conditioned(submission, rng, helpers):
    """A well-conditioned SPD system: solution, tol criterion met, at most n + 2 iterations."""
    n = int(rng.integers(5, 40))
    A = _spd(rng, n, 1.0, 10.0)
    b = rng.standard_normal(n)
    x, n_iter = submission.conjugate_gradient(A.copy(), b.copy())
    x = np.asarray(x, dtype=np.float64)
    assert_close(x, np.linalg.solve(A, b), name="x", rtol=1e-7, atol=1e-9)
    helpers.check_at_most(np.linalg.norm(b - A @ x) / np.linalg.norm(b), 2e-10, "norm(b - A x) / norm(b)")
    helpers.check_at_most(n_iter, n + 2, "n_iter")


@pytest.mark.task("cg")
def test_cg_few_distinct_eigenvalues(submission, rng, helpers):
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
    assert_close(x, np.linalg.solve(A, b), name="x", rtol=1e-6, atol=1e-8)
    helpers.check_at_most(n_iter, k + 1, "n_iter")


@pytest.mark.task("cg")
def test_cg_ill_conditioned_default_max_iter(submission, rng, helpers):
    """Condition number 1e4: more than n iterations may be needed; the default max_iter is 10 n."""
    n = int(rng.integers(20, 40))
    A, _ = helpers.quadratic_problem(rng, n, cond=1e4)
    b = rng.standard_normal(n)
    x, n_iter = submission.conjugate_gradient(A.copy(), b.copy(), None, 1e-9)
    x = np.asarray(x, dtype=np.float64)
    helpers.check_at_most(np.linalg.norm(b - A @ x) / np.linalg.norm(b), 2e-9, "norm(b - A x) / norm(b)")
    assert_close(x, np.linalg.solve(A, b), name="x", rtol=1e-4, atol=1e-5)


@pytest.mark.task("cg")
def test_cg_iterates_are_krylov_minimisers(submission, rng):
    """max_iter=k stops after k iterations at the k-th CG iterate (from a given x0)."""
    n = int(rng.integers(10, 30))
    A = _spd(rng, n, 1.0, 20.0)
    b, x0 = rng.standard_normal(n), rng.standard_normal(n)
    for k in (1, 3):
        x, n_iter = submission.conjugate_gradient(A.copy(), b.copy(), x0.copy(), 1e-12, k)
        assert_close(x, _krylov_iterate(A, b, x0, k), name=f"x after {k} iteration(s)", rtol=1e-7, atol=1e-9)
        assert_scalar_close(n_iter, k, name="n_iter")


@pytest.mark.task("cg")
def test_cg_tolerance_relative_to_norm_b(submission, rng, helpers):
    """b of norm 1e-6..1e-4 and 1e4..1e6: the stopping rule is norm(r) <= tol * norm(b), scale-free."""
    n = int(rng.integers(5, 30))
    A = _spd(rng, n, 1.0, 10.0)
    direction = rng.standard_normal(n)
    for scale in (10 ** rng.uniform(-6, -4), 10 ** rng.uniform(4, 6)):
        b = scale * direction / np.linalg.norm(direction)
        x, n_iter = submission.conjugate_gradient(A.copy(), b.copy())
        x = np.asarray(x, dtype=np.float64)
        helpers.check_at_most(np.linalg.norm(b - A @ x) / np.linalg.norm(b), 2e-10, f"norm(b - A x) / norm(b) with norm(b) = {scale:.1e}")
        helpers.check_at_most(n_iter, n + 2, f"n_iter with norm(b) = {scale:.1e}")
        assert_close(x / scale, np.linalg.solve(A, b) / scale, name="x / norm(b)", rtol=1e-7, atol=1e-9)


@pytest.mark.task("cg")
def test_cg_zero_iterations_from_solution(submission, rng, helpers):
    """x0 already meets tol: n_iter = 0 and x = x0."""
    n = int(rng.integers(5, 20))
    A = _spd(rng, n, 1.0, 10.0)
    b = rng.standard_normal(n)
    direction = rng.standard_normal(n)
    x0 = np.linalg.solve(A, b) + direction / np.linalg.norm(A @ direction) * 0.3e-6 * np.linalg.norm(b)
    x, n_iter = submission.conjugate_gradient(A.copy(), b.copy(), x0.copy(), 1e-6)
    helpers.check_int(n_iter, 0, "n_iter")
    assert_close(x, x0, name="x", rtol=0, atol=1e-12)
