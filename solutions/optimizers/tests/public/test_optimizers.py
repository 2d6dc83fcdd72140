"""Public tests of the optimizers assignment: fixed inputs, values frozen from the reference.

Run them with `autograder check optimizers.py --assignment optimizers`. A failure names
the value that differs and, where it recognises a usual mistake, says which.
"""

import numpy as np
import pytest

# --------------------------------------------------------------------------- fixed inputs

_rng = np.random.default_rng(0)
W0 = _rng.standard_normal((4, 3))
DWS = [_rng.standard_normal((4, 3)) for _ in range(6)]  # a fixed sequence of gradients
TINY_DWS = [1e-6 * dw for dw in DWS]  # gradients where epsilon's position matters
X_QUAD = _rng.standard_normal(5)
_M = _rng.standard_normal((5, 5))
A_SPD = _M @ _M.T + 5 * np.eye(5)
B_VEC = _rng.standard_normal(5)
G_VEC = _rng.standard_normal(5)


def run(submission, rule, config, dws=DWS, w0=W0):
    """Apply ``rule`` once per gradient in ``dws``, passing config back; returns the stacked w's."""
    w, ws = w0.copy(), []
    for dw in dws:
        w, config = getattr(submission, rule)(w, dw.copy(), config)
        ws.append(np.array(w, dtype=np.float64))
    return np.stack(ws)


def _hints(frozen, **values):
    """Hints are only computed when comparing (not while the reference records)."""
    return None if frozen.recording else {k.replace("_", " "): v for k, v in values.items()}


def rosenbrock():
    f = lambda x: float(100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2)
    grad = lambda x: np.array([-400.0 * x[0] * (x[1] - x[0] ** 2) - 2.0 * (1.0 - x[0]), 200.0 * (x[1] - x[0] ** 2)])
    hess = lambda x: np.array([[1200.0 * x[0] ** 2 - 400.0 * x[1] + 2.0, -400.0 * x[0]], [-400.0 * x[0], 200.0]])
    return f, grad, hess


def quadratic():
    f = lambda x: float(0.5 * x @ A_SPD @ x - B_VEC @ x)
    grad = lambda x: A_SPD @ x - B_VEC
    hess = lambda x: A_SPD.copy()
    return f, grad, hess


# --------------------------------------------------------------------------- first-order rules


@pytest.mark.task("sgd")
def test_sgd(submission, frozen):
    """One SGD step, then a 6-step trajectory with learning_rate 0.1."""
    w, config = submission.sgd(W0.copy(), DWS[0].copy(), None)
    frozen.check("sgd.one_step_default", w, hints=_hints(frozen, moved_along_plus_dw_instead_of_minus_dw=W0 + 1e-2 * DWS[0]))
    frozen.check("sgd.trajectory", run(submission, "sgd", {"learning_rate": 0.1}))


@pytest.mark.task("momentum")
def test_sgd_momentum(submission, frozen):
    """6 steps of SGD with momentum (lr 0.1, momentum 0.9), config passed back every step."""
    plain = W0 - 0.1 * np.cumsum(DWS, axis=0)
    frozen.check(
        "momentum.trajectory",
        run(submission, "sgd_momentum", {"learning_rate": 0.1, "momentum": 0.9}),
        hints=_hints(frozen, did_not_carry_the_velocity_between_steps_via_config=plain),
    )


@pytest.mark.task("momentum")
def test_nesterov_momentum(submission, frozen):
    """6 steps of Nesterov momentum (lr 0.1, momentum 0.9)."""
    hints = None if frozen.recording else {
        "computed classical momentum (w += v) instead of Nesterov's look-ahead": frozen.value("momentum.trajectory")
    }
    frozen.check("nesterov.trajectory", run(submission, "nesterov_momentum", {"learning_rate": 0.1, "momentum": 0.9}), hints=hints)


@pytest.mark.task("adagrad_adadelta")
def test_adagrad(submission, frozen):
    """AdaGrad with default epsilon, on ordinary and on tiny gradients."""
    frozen.check("adagrad.trajectory", run(submission, "adagrad", {"learning_rate": 0.1}))
    cache = np.cumsum(np.square(TINY_DWS), axis=0)
    inside = W0 - 0.1 * np.cumsum(np.array(TINY_DWS) / np.sqrt(cache + 1e-10), axis=0)
    frozen.check(
        "adagrad.tiny_gradients",
        run(submission, "adagrad", {"learning_rate": 0.1}, TINY_DWS),
        atol=1e-12,
        hints=_hints(frozen, put_epsilon_inside_the_square_root=inside),
    )


@pytest.mark.task("adagrad_adadelta")
def test_adadelta(submission, frozen):
    """Adadelta with its defaults (lr 1.0, rho 0.9, eps 1e-6)."""
    frozen.check("adadelta.trajectory", run(submission, "adadelta", None))


@pytest.mark.task("rmsprop")
def test_rmsprop(submission, frozen):
    """RMSProp with decay_rate 0.9."""
    w, cache, swapped = W0.copy(), np.zeros_like(W0), []
    for dw in DWS:
        cache = 0.1 * cache + 0.9 * dw**2
        w = w - 1e-2 * dw / (np.sqrt(cache) + 1e-8)
        swapped.append(w)
    frozen.check(
        "rmsprop.trajectory",
        run(submission, "rmsprop", {"learning_rate": 1e-2, "decay_rate": 0.9}),
        hints=_hints(frozen, swapped_decay_rate_and_1_minus_decay_rate=np.stack(swapped)),
    )


@pytest.mark.task("adam")
def test_adam(submission, frozen):
    """Adam with its defaults; t must be incremented before the bias correction."""
    w, m, v, no_bias = W0.copy(), 0.0, 0.0, []
    for dw in DWS:
        m, v = 0.9 * m + 0.1 * dw, 0.999 * v + 0.001 * dw**2
        w = w - 1e-3 * m / (np.sqrt(v) + 1e-8)
        no_bias.append(w)
    frozen.check("adam.trajectory", run(submission, "adam", None), hints=_hints(frozen, forgot_the_bias_correction=np.stack(no_bias)))
    config = {"learning_rate": 1e-3, "t": 5, "m": 0.1 * DWS[0], "v": 0.01 * DWS[1] ** 2}
    frozen.check("adam.resumed_from_config", run(submission, "adam", config))


@pytest.mark.task("nadam")
def test_nadam(submission, frozen):
    """NAdam with its defaults, and resumed from a config holding m, v, t and mu_product."""
    frozen.check("nadam.trajectory", run(submission, "nadam", None))
    config = {"t": 3, "m": 0.1 * DWS[0], "v": 0.01 * DWS[1] ** 2, "mu_product": 0.3}
    frozen.check("nadam.resumed_from_config", run(submission, "nadam", config))


@pytest.mark.task("adam")
def test_adam_float32(submission, frozen):
    """float32 inputs work (compared at float32 tolerances)."""
    ws = run(submission, "adam", {"learning_rate": 1e-2}, [d.astype(np.float32) for d in DWS], W0.astype(np.float32))
    frozen.check("adam.float32", ws, rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------- second-order methods


@pytest.mark.task("newton")
def test_newton_step(submission, frozen):
    """One Newton step on fixed x, g, H."""
    hints = _hints(frozen, used_H_times_g_instead_of_solving_H_d_equals_g=X_QUAD - A_SPD @ G_VEC,
                   added_the_step_instead_of_subtracting_it=X_QUAD + np.linalg.solve(A_SPD, G_VEC))
    frozen.check("newton.step", submission.newton_step(X_QUAD.copy(), G_VEC.copy(), A_SPD.copy()), hints=hints)


@pytest.mark.task("newton")
def test_newton_minimize(submission, frozen):
    """A quadratic in one step; Rosenbrock from (-1.2, 1) to (1, 1); 0 steps from the minimum."""
    f, grad, hess = quadratic()
    x, n_iter = submission.newton_minimize(f, grad, hess, X_QUAD.copy())
    frozen.check("newton.quadratic_x", x, rtol=1e-7, atol=1e-9)
    frozen.check("newton.quadratic_n_iter", n_iter, hints=_hints(frozen, counted_one_step_too_many=2))
    x, n_iter = submission.newton_minimize(*rosenbrock(), np.array([-1.2, 1.0]))
    frozen.check("newton.rosenbrock_x", x, rtol=0, atol=1e-5)
    x, n_iter = submission.newton_minimize(*rosenbrock(), np.array([1.0, 1.0]))
    frozen.check("newton.at_minimum_n_iter", n_iter, hints=_hints(frozen, took_a_step_before_testing_the_gradient_or_counted_one_step_too_many=1))


@pytest.mark.task("line_search")
def test_backtracking_line_search(submission, frozen):
    """Armijo backtracking along -g (too long) and along a scaled Newton direction."""
    f, grad, _ = quadratic()
    p = -10.0 * grad(X_QUAD)
    alpha = submission.backtracking_line_search(f, grad, X_QUAD.copy(), p.copy())
    if not frozen.recording:
        expected = float(frozen.value("line_search.steepest"))
        hints = {"returned the step before the last shrink (alpha / rho)": expected / 0.5,
                 "shrank once too often (the first acceptable alpha is the answer)": expected * 0.5}
    else:
        hints = None
    frozen.check("line_search.steepest", alpha, rtol=1e-12, hints=hints)
    p = -3.0 * np.linalg.solve(A_SPD, grad(X_QUAD))
    alpha = submission.backtracking_line_search(f, grad, X_QUAD.copy(), p.copy(), 2.0, 0.3, 0.4)
    frozen.check("line_search.custom_parameters", alpha, rtol=1e-12)
    p = -np.linalg.solve(A_SPD, grad(X_QUAD))  # the Newton direction: alpha0 = 1 is accepted
    alpha = submission.backtracking_line_search(f, grad, X_QUAD.copy(), p.copy())
    frozen.check("line_search.newton_direction", alpha, rtol=1e-12, hints=_hints(frozen, shrank_before_trying_alpha0=0.5))


@pytest.mark.task("bfgs")
def test_bfgs(submission, frozen):
    """BFGS from (-1.2, 1) arrives within 1e-5 of (1, 1)."""
    f, grad, _ = rosenbrock()
    x, n_iter = submission.bfgs_minimize(f, grad, np.array([-1.2, 1.0]))
    frozen.check("bfgs.rosenbrock_x", x, rtol=0, atol=1e-5)


def separable_log():
    """f(x) = sum_i log(1 + lam_i z_i**2), z = Q^T (x - x*): not convex far from x*, where a step
    can give s @ y < 0. From X0_LOG both methods meet such a pair after a few used ones."""
    rng = np.random.default_rng(11)
    n = int(rng.integers(3, 8))
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    lam = np.exp(rng.uniform(0.0, np.log(10.0), n))
    x_star = rng.standard_normal(n)
    f = lambda x: float(np.sum(np.log1p(lam * (Q.T @ (x - x_star)) ** 2)))
    grad = lambda x: Q @ (2.0 * lam * (Q.T @ (x - x_star)) / (1.0 + lam * (Q.T @ (x - x_star)) ** 2))
    d = rng.standard_normal(n)
    x0 = x_star + rng.uniform(3.0, 5.0) * d / np.linalg.norm(d)
    return f, grad, x0


def _quasi_newton_variant(f, grad, x0, steps, lbfgs_m=None, bad_pair="skip"):
    """BFGS (lbfgs_m None) or L-BFGS for ``steps`` steps, with a chosen treatment of a pair with
    s @ y <= 1e-10 ('skip', 'reset' or 'use'), for the hints."""
    x, n = np.array(x0, dtype=np.float64), len(x0)
    I, H, S, Y = np.eye(n), np.eye(n), [], []
    g = grad(x)
    for _ in range(steps):
        if lbfgs_m is None:
            p = -H @ g
        else:
            q, alphas = g.copy(), []
            for s, y in zip(reversed(S), reversed(Y)):
                alphas.append((s @ q) / (y @ s))
                q = q - alphas[-1] * y
            q = q * (S[-1] @ Y[-1]) / (Y[-1] @ Y[-1]) if S else q
            for (s, y), a in zip(zip(S, Y), reversed(alphas)):
                q = q + (a - (y @ q) / (y @ s)) * s
            p = -q
        alpha, fx, slope = 1.0, f(x), g @ p
        while f(x + alpha * p) > fx + 1e-4 * alpha * slope and alpha > 1e-30:
            alpha *= 0.5
        s = alpha * p
        x = x + s
        g_new = grad(x)
        y = g_new - g
        good = s @ y > 1e-10
        if lbfgs_m is None and (good or bad_pair == "use"):
            r = 1.0 / (s @ y)
            H = (I - r * np.outer(s, y)) @ H @ (I - r * np.outer(y, s)) + r * np.outer(s, s)
        elif lbfgs_m is None and bad_pair == "reset":
            H = I.copy()
        elif lbfgs_m is not None and good:
            S, Y = (S + [s])[-lbfgs_m:], (Y + [y])[-lbfgs_m:]
        elif lbfgs_m is not None and bad_pair == "reset":
            S, Y = [], []
        g = g_new
    return x


@pytest.mark.task("bfgs")
def test_bfgs_pair_with_negative_curvature(submission, frozen):
    """Eight BFGS steps (max_iter=8) on a non-convex function: the 4th pair has s @ y < 0 and is skipped."""
    f, grad, x0 = separable_log()
    x, n_iter = submission.bfgs_minimize(f, grad, x0.copy(), 1e-12, 8)
    hints = _hints(frozen, updated_H_with_a_pair_whose_s_y_is_negative=_quasi_newton_variant(f, grad, x0, 8, bad_pair="use"),
                   reset_H_to_the_identity_instead_of_keeping_it=_quasi_newton_variant(f, grad, x0, 8, bad_pair="reset"))
    frozen.check("bfgs.negative_curvature_x", x, rtol=1e-7, atol=1e-9, hints=hints)


@pytest.mark.task("lbfgs")
def test_lbfgs_pair_with_negative_curvature(submission, frozen):
    """Eight L-BFGS steps with m=2 on a non-convex function: the 5th pair has s @ y < 0 and clears the memory."""
    f, grad, x0 = separable_log()
    x, n_iter = submission.lbfgs_minimize(f, grad, x0.copy(), 2, 1e-12, 8)
    hints = _hints(frozen, dropped_the_pair_but_kept_the_memory=_quasi_newton_variant(f, grad, x0, 8, lbfgs_m=2, bad_pair="skip"))
    frozen.check("lbfgs.negative_curvature_x", x, rtol=1e-7, atol=1e-9, hints=hints)


@pytest.mark.task("lbfgs")
def test_lbfgs_direction(submission, frozen):
    """The two-loop recursion with two (s, y) pairs from the fixed quadratic, and with none."""
    s_list = [G_VEC.copy(), X_QUAD.copy()]
    y_list = [A_SPD @ s for s in s_list]
    p = submission.lbfgs_direction(G_VEC.copy(), [s.copy() for s in s_list], [y.copy() for y in y_list])
    hints = None
    if not frozen.recording:
        hints = {"returned H g instead of -H g": -frozen.value("lbfgs.direction")}
    frozen.check("lbfgs.direction", p, rtol=1e-7, atol=1e-10, hints=hints)
    frozen.check("lbfgs.direction_no_pairs", submission.lbfgs_direction(G_VEC.copy(), [], []))


@pytest.mark.task("lbfgs")
def test_lbfgs_minimize(submission, frozen):
    """L-BFGS from (-1.2, 1) arrives within 1e-5 of (1, 1)."""
    f, grad, _ = rosenbrock()
    x, n_iter = submission.lbfgs_minimize(f, grad, np.array([-1.2, 1.0]))
    frozen.check("lbfgs.rosenbrock_x", x, rtol=0, atol=1e-5)


@pytest.mark.task("cg")
def test_conjugate_gradient(submission, frozen):
    """CG on a 5x5 SPD system: the solution in at most 5 (+ rounding) iterations; 2 iterations exactly; a tiny b."""
    x, n_iter = submission.conjugate_gradient(A_SPD.copy(), B_VEC.copy())
    frozen.check("cg.solution", x, rtol=1e-8, atol=1e-10)
    x, n_iter = submission.conjugate_gradient(A_SPD.copy(), B_VEC.copy(), None, 1e-10, 2)
    frozen.check("cg.two_iterations_x", x, rtol=1e-8, atol=1e-10)
    frozen.check("cg.two_iterations_n_iter", n_iter)
    x, n_iter = submission.conjugate_gradient(A_SPD.copy(), 1e-6 * B_VEC, None, 1e-4)  # tol is relative to norm(b)
    frozen.check("cg.small_b_x", x, rtol=1e-8, atol=1e-16)
    frozen.check("cg.small_b_n_iter", n_iter, hints=_hints(frozen, stopped_at_norm_r_below_tol_instead_of_tol_times_norm_b=0))
