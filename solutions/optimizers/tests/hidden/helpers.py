"""Helpers of the optimizers' hidden tests: problems, references (torch.optim and exact rules) and wrong rules for hints.

Imported by the test modules with ``from helpers import ...``. Everything runs in the
trusted harness. Reference computations are ``@oracle`` pure functions of their
arguments (arrays, numbers, strings), so within a batch each is computed once.

Sections:

1. problems        least squares (first-order rules), quadratics, Rosenbrock, a non-convex log problem
2. first-order     torch.optim trajectories (the oracle), the rules in NumPy with the
                   mistakes students make (each mistake is a hint id of ``hints.toml``),
                   and the student's trajectory on the same gradients
3. second-order    exact traces of BFGS / L-BFGS as API.md states them (and as the usual
                   mistakes run them), the two-loop recursion, CG and its mistakes
4. checks          counts and bounds with messages that never show hidden inputs
"""

from __future__ import annotations

import numpy as np

from autograder.testing import assert_close, assert_scalar_close, note, oracle
from autograder.testing.lazy_torch import torch

# =========================================================================== 1. problems


def least_squares_problem(rng, shape, steps, noise=0.1, scale=1.0) -> dict:
    """A random least-squares loss ``0.5/n ||X W - Y||^2`` in ``W`` of ``shape`` ((d,) or (d, k)).

    The gradient of step ``k`` is ``scale * (X.T (X W - Y) / n + noise * z_k)`` with a fixed
    standard normal ``z_k`` shaped like ``W`` (a mini-batch-like perturbation).
    Returns a dict of arrays ``X (n, d)``, ``Y (n, *shape[1:])``, ``w0 shape``, ``z (steps, *shape)``
    and the numbers ``noise``, ``scale``: the plain data an oracle fingerprints.
    """
    d = shape[0]
    n = 4 * d + 8
    return {
        "X": rng.standard_normal((n, d)) / np.sqrt(d),
        "Y": rng.standard_normal((n,) + tuple(shape[1:])),
        "w0": rng.standard_normal(shape),
        "z": rng.standard_normal((steps,) + tuple(shape)),
        "noise": float(noise),
        "scale": float(scale),
    }


def problem_gradient(problem: dict, w: np.ndarray, k: int) -> np.ndarray:
    """The gradient of step ``k`` at ``w`` (float64, shaped like ``w``)."""
    X, Y = problem["X"], problem["Y"]
    g = X.T @ (X @ w - Y) / X.shape[0]
    return problem["scale"] * (g + problem["noise"] * problem["z"][k])


def quadratic_problem(rng, n, cond):
    """SPD ``A (n, n)`` with condition number ``cond`` and smallest eigenvalue 1; ``b (n,)``."""
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eig = np.exp(rng.uniform(0.0, np.log(cond), n))
    eig[0], eig[-1] = 1.0, cond
    A = (Q * eig) @ Q.T
    A = 0.5 * (A + A.T)
    b = rng.standard_normal(n)
    return A, b


def spd(rng, n, lo=1.0, hi=10.0):
    """A random symmetric positive definite ``(n, n)`` matrix with eigenvalues in ``[lo, hi]``."""
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = (Q * rng.uniform(lo, hi, n)) @ Q.T
    return 0.5 * (A + A.T)


def rosenbrock():
    """``(f, grad, hess)`` of Rosenbrock's function in 2-D (minimum at (1, 1))."""

    def f(x):
        return float(100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2)

    def grad(x):
        return np.array([-400.0 * x[0] * (x[1] - x[0] ** 2) - 2.0 * (1.0 - x[0]), 200.0 * (x[1] - x[0] ** 2)])

    def hess(x):
        return np.array([[1200.0 * x[0] ** 2 - 400.0 * x[1] + 2.0, -400.0 * x[0]], [-400.0 * x[0], 200.0]])

    return f, grad, hess


def quadratic_functions(A, b):
    """``f(x) = 0.5 x^T A x - b^T x`` with its gradient and Hessian (x of shape (n,))."""

    def f(x):
        return float(0.5 * x @ A @ x - b @ x)

    def grad(x):
        return A @ x - b

    def hess(x):
        return A.copy()

    return f, grad, hess


def quartic_functions(A, b, c=0.25):
    """``f(x) = 0.5 x^T A x - b^T x + c * sum(x**4)``: smooth, strictly convex, not quadratic."""

    def f(x):
        return float(0.5 * x @ A @ x - b @ x + c * np.sum(x**4))

    def grad(x):
        return A @ x - b + 4.0 * c * x**3

    def hess(x):
        return A + np.diag(12.0 * c * x**2)

    return f, grad, hess


def centered_functions(A, x_star, c=0.0):
    """``f(x) = 0.5 e^T A e + c * sum(e**4)``, ``e = x - x_star``: minimiser ``x_star``, ``f = 0`` there.

    Written in ``e`` so that ``f`` is accurate near the minimum (an Armijo test compares
    ``f`` values: a large constant offset would drown the decrease in rounding errors).
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


def separable_log_functions(Q, lam, x_star):
    """``f(x) = sum_i log(1 + lam_i z_i**2)``, ``z = Q^T (x - x_star)``: unique minimiser, not convex.

    Each term is concave for ``|z_i| > 1/sqrt(lam_i)``, so far from ``x_star`` a step can give ``s @ y < 0``.
    """

    def f(x):
        z = Q.T @ (x - x_star)
        return float(np.sum(np.log1p(lam * z**2)))

    def grad(x):
        z = Q.T @ (x - x_star)
        return Q @ (2.0 * lam * z / (1.0 + lam * z**2))

    return f, grad


# =========================================================================== 2. first-order rules

# API.md's hyper-parameter defaults of each rule.
DEFAULTS = {
    "sgd": {"learning_rate": 1e-2},
    "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "nesterov_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "adagrad": {"learning_rate": 1e-2, "epsilon": 1e-10},
    "adadelta": {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6},
    "rmsprop": {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
    "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
    "nadam": {"learning_rate": 2e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "momentum_decay": 4e-3},
}

# Rules with a step counter t (API.md: 0 when absent, incremented before use).
COUNTS_STEPS = ("adam", "nadam")


def _torch_optimizer(rule: str, params, h: dict):
    if rule == "sgd":
        return torch.optim.SGD(params, lr=h["learning_rate"])
    if rule in ("sgd_momentum", "nesterov_momentum"):
        return torch.optim.SGD(params, lr=h["learning_rate"], momentum=h["momentum"], nesterov=rule == "nesterov_momentum")
    if rule == "adagrad":
        return torch.optim.Adagrad(params, lr=h["learning_rate"], eps=h["epsilon"])
    if rule == "adadelta":
        return torch.optim.Adadelta(params, lr=h["learning_rate"], rho=h["rho"], eps=h["epsilon"])
    if rule == "rmsprop":
        return torch.optim.RMSprop(params, lr=h["learning_rate"], alpha=h["decay_rate"], eps=h["epsilon"])
    if rule == "adam":
        return torch.optim.Adam(params, lr=h["learning_rate"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"])
    if rule == "nadam":
        return torch.optim.NAdam(params, lr=h["learning_rate"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"],
                                 momentum_decay=h["momentum_decay"])
    raise KeyError(rule)


def _state_as_config(rule: str, state: dict, h: dict) -> dict:
    """torch's optimizer state -> the config keys API.md names (velocity is -lr times torch's buffer)."""
    copy = lambda key: state[key].detach().numpy().copy()  # noqa: E731
    if rule in ("sgd_momentum", "nesterov_momentum"):
        return {"velocity": -h["learning_rate"] * copy("momentum_buffer")}
    if rule == "adagrad":
        return {"cache": copy("sum")}
    if rule == "adadelta":
        return {"square_avg": copy("square_avg"), "acc_delta": copy("acc_delta")}
    if rule == "rmsprop":
        return {"cache": copy("square_avg")}
    if rule == "adam":
        return {"m": copy("exp_avg"), "v": copy("exp_avg_sq"), "t": int(state["step"].item())}
    if rule == "nadam":
        return {"m": copy("exp_avg"), "v": copy("exp_avg_sq"), "t": int(state["step"].item()),
                "mu_product": float(state["mu_product"].item())}
    return {}


@oracle
def torch_trajectory(rule: str, hyper: dict, problem: dict, steps: int, dtype: str = "float64", warmup: int = 0) -> dict:
    """``torch.optim``'s trajectory of ``rule`` on ``problem``: the reference of every first-order test.

    The optimiser starts from ``problem["w0"]`` cast to ``dtype``, runs ``warmup`` steps, and
    then ``steps`` steps that are recorded. The gradient of each step is computed from the
    oracle's own ``w`` and cast to ``dtype``; the student gets exactly these gradients, so a
    small error of theirs never changes the problem.

    Returns ``{"w_start": w before the recorded steps (dtype), "state": the optimiser's
    state then as API.md's config keys, "dws": (steps, *shape) in dtype, "ws": (steps, *shape) float64}``.
    """
    w0 = np.asarray(problem["w0"]).astype(dtype)
    p = torch.tensor(w0.astype(np.float64), requires_grad=True)
    default_dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # torch keeps scalar state (NAdam's mu_product, step) in the default dtype
    try:
        opt = _torch_optimizer(rule, [p], hyper)
        return _run_torch(rule, opt, p, problem, steps, dtype, warmup, hyper)
    finally:
        torch.set_default_dtype(default_dtype)


def _run_torch(rule, opt, p, problem, steps, dtype, warmup, hyper):
    """The steps of :func:`torch_trajectory` (``opt`` already made for the parameter ``p``)."""

    def step(k):
        dw = problem_gradient(problem, p.detach().numpy().copy(), k).astype(dtype)
        p.grad = torch.tensor(dw.astype(np.float64))
        opt.step()
        return dw

    for k in range(warmup):
        step(k)
    w_start = p.detach().numpy().astype(dtype)
    state = _state_as_config(rule, opt.state[p], hyper) if warmup else {}
    dws, ws = [], []
    for k in range(warmup, warmup + steps):
        dws.append(step(k))
        ws.append(p.detach().numpy().copy())
    return {"w_start": w_start, "state": state, "dws": np.stack(dws), "ws": np.stack(ws)}


# --------------------------------------------------------------------------- the rules in NumPy, with mistakes
#
# Each rule below is API.md's rule written as a student writes it, with switches for the
# mistakes students make; a mistake's name is the id of its hint in hints.toml. Run on the
# gradients the student got, a mistaken rule gives exactly the trajectory a student with that
# mistake returns, which is what the hint is compared with.

MISTAKES = {
    "sgd": ["learning_rate_ignored"],
    "sgd_momentum": ["learning_rate_ignored", "momentum_no_learning_rate", "velocity_not_stored", "velocity_torch_buffer"],
    "nesterov_momentum": ["learning_rate_ignored", "nesterov_as_momentum", "velocity_torch_buffer"],
    "adagrad": ["learning_rate_ignored", "eps_inside_sqrt"],
    # no learning_rate_ignored: Adadelta's default learning rate 1.0 is the paper's rule without one
    "adadelta": ["adadelta_no_learning_rate", "adadelta_swapped_accumulators", "adadelta_acc_delta_from_grad"],
    "rmsprop": ["learning_rate_ignored", "eps_inside_sqrt", "rmsprop_swapped_decay"],
    "adam": ["learning_rate_ignored", "adam_no_bias_correction", "adam_one_minus_beta", "eps_inside_sqrt",
             "adam_paper_efficient_form", "adam_t_not_incremented", "adam_t_incremented_after_use"],
    "nadam": ["learning_rate_ignored", "nadam_mu_t_for_mu_next", "nadam_without_momentum_schedule"],
}

# Defaults of other courses and libraries, by (rule, config key): (hint id, the value used there).
OTHER_DEFAULTS = {
    ("rmsprop", "decay_rate"): [("rmsprop_decay_rate_0_9", 0.9)],
    ("adam", "t"): [("t_starts_at_1", 1)],
    ("nadam", "t"): [("t_starts_at_1", 1)],
}


def _zeros(c, key, w):
    value = c.get(key)
    return np.zeros_like(w) if value is None else value


def _sgd(w, dw, c, mistake):
    lr = DEFAULTS["sgd"]["learning_rate"] if mistake == "learning_rate_ignored" else c["learning_rate"]
    return w - lr * dw


def _sgd_momentum(w, dw, c, mistake, rule="sgd_momentum"):
    mu = c["momentum"]
    lr = DEFAULTS[rule]["learning_rate"] if mistake == "learning_rate_ignored" else c["learning_rate"]
    v = _zeros(c, "velocity", w)
    if mistake == "velocity_torch_buffer":  # torch's buffer b = mu b + dw; w -= lr b
        b = mu * v + dw
        c["velocity"] = b
        return w - lr * b
    v = mu * v - (dw if mistake == "momentum_no_learning_rate" else lr * dw)
    if mistake != "velocity_not_stored":
        c["velocity"] = v
    return w + v


def _nesterov_momentum(w, dw, c, mistake):
    if mistake == "nesterov_as_momentum":
        return _sgd_momentum(w, dw, c, None, "nesterov_momentum")
    mu = c["momentum"]
    lr = DEFAULTS["nesterov_momentum"]["learning_rate"] if mistake == "learning_rate_ignored" else c["learning_rate"]
    v = _zeros(c, "velocity", w)
    if mistake == "velocity_torch_buffer":  # torch: b = mu b + dw; w -= lr (dw + mu b)
        b = mu * v + dw
        c["velocity"] = b
        return w - lr * (dw + mu * b)
    v_new = mu * v - lr * dw
    c["velocity"] = v_new
    return w + mu * v_new - lr * dw


def _adagrad(w, dw, c, mistake):
    lr = DEFAULTS["adagrad"]["learning_rate"] if mistake == "learning_rate_ignored" else c["learning_rate"]
    cache = _zeros(c, "cache", w) + dw * dw
    c["cache"] = cache
    denom = np.sqrt(cache + c["epsilon"]) if mistake == "eps_inside_sqrt" else np.sqrt(cache) + c["epsilon"]
    return w - lr * dw / denom


def _adadelta(w, dw, c, mistake):
    rho, eps = c["rho"], c["epsilon"]
    lr = 1.0 if mistake == "adadelta_no_learning_rate" else c["learning_rate"]
    square_avg = rho * _zeros(c, "square_avg", w) + (1 - rho) * dw * dw
    acc_delta = _zeros(c, "acc_delta", w)
    if mistake == "adadelta_swapped_accumulators":
        delta = np.sqrt(square_avg + eps) / np.sqrt(acc_delta + eps) * dw
    else:
        delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * dw
    acc_delta = rho * acc_delta + (1 - rho) * (dw * dw if mistake == "adadelta_acc_delta_from_grad" else delta * delta)
    c["square_avg"], c["acc_delta"] = square_avg, acc_delta
    return w - lr * delta


def _rmsprop(w, dw, c, mistake):
    beta = c["decay_rate"]
    lr = DEFAULTS["rmsprop"]["learning_rate"] if mistake == "learning_rate_ignored" else c["learning_rate"]
    if mistake == "rmsprop_swapped_decay":
        cache = (1 - beta) * _zeros(c, "cache", w) + beta * dw * dw
    else:
        cache = beta * _zeros(c, "cache", w) + (1 - beta) * dw * dw
    c["cache"] = cache
    denom = np.sqrt(cache + c["epsilon"]) if mistake == "eps_inside_sqrt" else np.sqrt(cache) + c["epsilon"]
    return w - lr * dw / denom


def _adam(w, dw, c, mistake):
    b1, b2, eps = c["beta1"], c["beta2"], c["epsilon"]
    lr = DEFAULTS["adam"]["learning_rate"] if mistake == "learning_rate_ignored" else c["learning_rate"]
    t = c.get("t", 0)
    t_used = t if mistake == "adam_t_incremented_after_use" else t + 1
    m = b1 * _zeros(c, "m", w) + (1 - b1) * dw
    v = b2 * _zeros(c, "v", w) + (1 - b2) * dw * dw
    c["m"], c["v"] = m, v
    c["t"] = t if mistake == "adam_t_not_incremented" else t + 1
    if mistake == "adam_paper_efficient_form":  # Kingma & Ba's "efficient" form: epsilon added to sqrt(v), not sqrt(v_hat)
        return w - lr * np.sqrt(1 - b2**t_used) / (1 - b1**t_used) * m / (np.sqrt(v) + eps)
    if mistake == "adam_no_bias_correction":
        m_hat, v_hat = m, v
    elif mistake == "adam_one_minus_beta":
        m_hat, v_hat = m / (1 - b1), v / (1 - b2)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            m_hat, v_hat = m / (1 - b1**t_used), v / (1 - b2**t_used)
    denom = np.sqrt(v_hat + eps) if mistake == "eps_inside_sqrt" else np.sqrt(v_hat) + eps
    with np.errstate(divide="ignore", invalid="ignore"):
        return w - lr * m_hat / denom


def _nadam(w, dw, c, mistake):
    b1, b2, eps, psi = c["beta1"], c["beta2"], c["epsilon"], c["momentum_decay"]
    lr = DEFAULTS["nadam"]["learning_rate"] if mistake == "learning_rate_ignored" else c["learning_rate"]
    t = c.get("t", 0) + 1
    m = b1 * _zeros(c, "m", w) + (1 - b1) * dw
    v = b2 * _zeros(c, "v", w) + (1 - b2) * dw * dw
    c["m"], c["v"], c["t"] = m, v, t
    denom = np.sqrt(v / (1 - b2**t)) + eps
    if mistake == "nadam_without_momentum_schedule":  # Dozat's simplified NAdam: a constant beta1
        return w - lr * (b1 * m / (1 - b1 ** (t + 1)) + (1 - b1) * dw / (1 - b1**t)) / denom
    mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
    mu_next = mu if mistake == "nadam_mu_t_for_mu_next" else b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
    mu_product = c.get("mu_product", 1.0) * mu
    c["mu_product"] = mu_product
    return w - lr * (1 - mu) / (1 - mu_product) * dw / denom - lr * mu_next / (1 - mu_product * mu_next) * m / denom


NUMPY_RULES = {
    "sgd": _sgd,
    "sgd_momentum": _sgd_momentum,
    "nesterov_momentum": _nesterov_momentum,
    "adagrad": _adagrad,
    "adadelta": _adadelta,
    "rmsprop": _rmsprop,
    "adam": _adam,
    "nadam": _nadam,
}


@oracle
def numpy_trajectory(rule: str, config: dict, w0: np.ndarray, dws: np.ndarray, mistake: str | None = None) -> np.ndarray:
    """``w`` after each step of ``rule`` (float64, ``(steps, *shape)``), made with ``mistake`` (a hint id) or none.

    ``config``: hyper-parameters (missing ones get API.md's defaults) and state, as a student gets it.
    """
    c = dict(DEFAULTS[rule])
    c.update({key: (np.array(value, dtype=np.float64) if isinstance(value, np.ndarray) else value) for key, value in config.items()})
    w = np.array(w0, dtype=np.float64)
    ws = []
    for dw in dws:
        w = NUMPY_RULES[rule](w, np.asarray(dw, dtype=np.float64), c, mistake)
        ws.append(w)
    return np.stack(ws)


def mistake_hints(rule: str, config: dict, w0, dws, others: dict | None = None) -> dict:
    """``{hint id: trajectory}`` of the usual mistakes of ``rule`` from ``config`` on these gradients.

    ``others``: ``{config key: value given}`` also adds the trajectories of other courses'
    defaults for that key (:data:`OTHER_DEFAULTS`). A mistake whose trajectory is not finite
    (a division by zero) gives no hint: NaN matches NaN whatever made it.
    """
    hints = {}
    for mistake in MISTAKES[rule]:
        hints[mistake] = numpy_trajectory(rule, config, w0, dws, mistake)
    for key in others or {}:
        for hint_id, value in OTHER_DEFAULTS.get((rule, key), []):
            hints[hint_id] = numpy_trajectory(rule, dict(config, **{key: value}), w0, dws)
    return {key: value for key, value in hints.items() if np.all(np.isfinite(value))}


def run_student(submission, rule: str, w0, dws, config) -> tuple[np.ndarray, dict]:
    """Run the student's ``rule`` on the given gradients, passing back the config it returns each step.

    Returns ``(ws (steps, *shape) float64, the last config)``; a step whose ``next_w`` has another
    shape is recorded as NaN (the comparison then states the shape problem).
    """
    function = getattr(submission, rule)
    w, ws = np.array(w0), []
    for dw in dws:
        result = function(np.array(w, copy=True), np.array(dw, copy=True), config)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise AssertionError(f"{rule} must return a pair (next_w, config)")
        w, config = result
        if not isinstance(w, np.ndarray):
            raise AssertionError(f"{rule} must return next_w as a NumPy array, got a value of type {type(w).__name__}")
        if not isinstance(config, dict):
            raise AssertionError(f"{rule} must return (next_w, config) with config a dict, got {type(config).__name__}")
        ws.append(np.array(w, dtype=np.float64) if w.shape == np.shape(dw) else np.full(np.shape(dw), np.nan))
    return np.stack(ws), config


# Mistakes that give the same trajectory on some inputs (Adam from a fresh start: a t stuck at
# 0 uses t = 1 at every step, which is dividing by 1 - beta), named together there.
SAME_TRAJECTORY = {frozenset({"adam_one_minus_beta", "adam_t_not_incremented"}): "adam_bias_correction_of_step_1"}


def unambiguous_hints(hints: dict, rtol: float, atol: float) -> dict:
    """``hints`` without the mistakes whose wrong values cannot be told apart here.

    A hint is shown when the student's value is within a tolerance of the wrong value; two
    mistakes whose values are that close to each other (where epsilon barely matters, say)
    would name one of them at random, so neither is kept, unless :data:`SAME_TRAJECTORY`
    names them together.
    """
    keys = list(hints)
    close = {key: set() for key in keys}
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            u, v = np.asarray(hints[a], dtype=np.float64), np.asarray(hints[b], dtype=np.float64)
            scale = max(float(np.max(np.abs(u), initial=0.0)), float(np.max(np.abs(v), initial=0.0)))
            if u.shape == v.shape and np.allclose(u, v, rtol=max(rtol, 1e-4), atol=max(atol, 1e-5 * scale)):
                close[a].add(b)
                close[b].add(a)
    kept = {key: value for key, value in hints.items() if not close[key]}
    for key in keys:
        group = frozenset({key} | close[key])
        if close[key] and group in SAME_TRAJECTORY:
            kept[SAME_TRAJECTORY[group]] = hints[key]
    return kept


def compare_trajectory(student, expected, name, *, rtol=1e-6, atol=1e-8, hints=None, accepted=None):
    """Compare ``w`` after each step with the reference.

    ``hints``: ``{mistake: trajectory}`` (see :func:`mistake_hints`); mistakes that cannot be
    told apart here are dropped (:func:`unambiguous_hints`). ``accepted``: ``{note: trajectory}``
    of conventions that another test grades (Adam's ``t`` counted from 1 is graded by the test
    of that default): a trajectory equal to one of them passes here with the note, so the
    convention costs only its own test.
    """
    label = f"{name} (w after each step)"
    for text, trajectory in (accepted or {}).items():
        if np.shape(student) == np.shape(trajectory) and np.allclose(student, trajectory, rtol=rtol, atol=atol) and \
                not np.allclose(student, expected, rtol=rtol, atol=atol):
            note(text)
            return
    assert_close(student, expected, name=label, rtol=rtol, atol=atol, hints=unambiguous_hints(hints or {}, rtol, atol))


def t_from_one_accepted(rule: str, hyper: dict, w0, dws) -> dict:
    """Adam/NAdam: the trajectory of code that starts ``t`` at 1 (on the same gradients), accepted where ``t``
    is not what the test is about."""
    if rule not in COUNTS_STEPS:
        return {}
    shifted = numpy_trajectory(rule, dict(hyper, t=1), w0, dws)
    return {f"your {rule} counts t from 1 when config has no 't'; API.md starts it at 0 (only the test of that "
            "default, \"No 't' in config\", takes points for it)": shifted}


# =========================================================================== 3. second-order methods


@oracle
def armijo_reference(f, grad, x, p, alpha0, c, rho, with_alpha=True):
    """The first ``alpha0 * rho**k`` (k < 200) meeting Armijo, and the smallest relative margin of the decisions taken.

    ``with_alpha=False``: the condition without the factor alpha (``f(x + a p) <= f(x) + c g @ p``),
    a usual mistake, which may hold for no alpha: then the alpha returned is None.
    """
    fx, slope = f(x), float(grad(x) @ p)
    alpha, margins = alpha0, []
    for _ in range(200):
        gap = f(x + alpha * p) - (fx + c * (alpha if with_alpha else 1.0) * slope)
        margins.append(abs(gap) / (abs(fx) + 1.0))
        if gap <= 0:
            return alpha, min(margins)
        alpha *= rho
    return None, min(margins)


def reference_line_search(f, grad, x, p):
    """API.md's backtracking line search with its defaults (alpha0=1, c=1e-4, rho=0.5)."""
    alpha = armijo_reference(f, grad, x, p, 1.0, 1e-4, 0.5)[0]
    if alpha is None:
        raise RuntimeError("the harness found no Armijo step")
    return alpha


def two_loop(g, s_list, y_list, mistake=None):
    """API.md's two-loop recursion ``-H_k g`` (oldest pair first), or one made with ``mistake``."""
    if mistake == "lbfgs_lists_newest_first":
        s_list, y_list = s_list[::-1], y_list[::-1]
    q, alphas = np.array(g, dtype=np.float64), []
    for s, y in zip(reversed(s_list), reversed(y_list)):
        a = (s @ q) / (y @ s)
        q = q - a * y
        alphas.append(a)
    if s_list and mistake != "lbfgs_no_initial_scaling":
        s0, y0 = (s_list[0], y_list[0]) if mistake == "lbfgs_h0_oldest_pair" else (s_list[-1], y_list[-1])
        q = q * (s0 @ y0) / (y0 @ y0)
    pairs = list(zip(s_list, y_list, reversed(alphas)))
    for s, y, a in (reversed(pairs) if mistake == "lbfgs_loops_same_order" else pairs):
        q = q + (a - (y @ q) / (y @ s)) * s
    return q if mistake == "lbfgs_direction_sign" else -q


def dense_lbfgs_direction(g, s_list, y_list):
    """``-H g`` with ``H`` the dense BFGS inverse from ``H0 = gamma I`` (newest pair) and the pairs, oldest first."""
    n = len(g)
    if not s_list:
        return -np.asarray(g, dtype=np.float64)
    gamma = (s_list[-1] @ y_list[-1]) / (y_list[-1] @ y_list[-1])
    H = gamma * np.eye(n)
    for s, y in zip(s_list, y_list):
        r = 1.0 / (y @ s)
        V = np.eye(n) - r * np.outer(y, s)
        H = V.T @ H @ V + r * np.outer(s, s)
    return -H @ g


def quasi_newton_trace(method, f, grad, x0, steps, m=10, mistake=None, line_search=reference_line_search):
    """API.md's BFGS (``m`` unused) or L-BFGS run for ``steps`` steps, or run with ``mistake``.

    ``mistake`` (a hint id): ``bfgs_used_small_pair`` (updates H with a pair whose
    ``s @ y <= 1e-10``), ``bfgs_reset_on_skip`` (resets H to I instead), ``lbfgs_kept_memory``
    (drops such a pair, keeps the memory), ``lbfgs_stored_small_pair`` (stores it when
    ``s @ y > 0``), ``lbfgs_keeps_m_plus_one``. ``line_search(f, grad, x, p) -> alpha``: the
    reference's by default (a BFGS is also graded with the student's own line search).

    Returns ``(x after the last step, one letter per step: 'u' pair used (s @ y > 1e-10),
    'N' pair with negative curvature (s @ y < 0), 'z' pair with 0 <= s @ y <= 1e-10, the
    smallest relative margin of the s @ y decisions)``.
    """
    x = np.array(x0, dtype=np.float64)
    n = len(x)
    I = np.eye(n)
    H, s_list, y_list = I.copy(), [], []
    g = grad(x)
    kinds, margin = [], np.inf
    for _ in range(steps):
        p = -H @ g if method == "bfgs_minimize" else two_loop(g, s_list, y_list)
        alpha = float(line_search(f, grad, x, p))
        s = alpha * p
        x = x + s
        g_new = grad(x)
        y = g_new - g
        sy = float(s @ y)
        margin = min(margin, abs(sy - 1e-10) / max(abs(sy), 1e-10))  # 0.5: a factor 2 from the threshold
        good = sy > 1e-10
        kinds.append("u" if good else ("N" if sy < 0 else "z"))
        if method == "bfgs_minimize":
            if good or (mistake == "bfgs_used_small_pair" and sy != 0):
                r = 1.0 / sy
                H = (I - r * np.outer(s, y)) @ H @ (I - r * np.outer(y, s)) + r * np.outer(s, s)
            elif mistake == "bfgs_reset_on_skip":
                H = I.copy()
        elif good or (mistake == "lbfgs_stored_small_pair" and sy > 0):
            s_list.append(s)
            y_list.append(y)
            if len(s_list) > m + (1 if mistake == "lbfgs_keeps_m_plus_one" else 0):
                s_list.pop(0)
                y_list.pop(0)
        elif mistake != "lbfgs_kept_memory":
            s_list, y_list = [], []
        g = g_new
    return x, "".join(kinds), margin


@oracle
def armijo_margin_of_trace(method, f, grad, x0, steps, m=10):
    """The smallest relative margin of the Armijo decisions along the reference trace (ties make traces fragile)."""
    margins = []

    def recording_line_search(f_, grad_, x, p):
        fx, slope, alpha = f_(x), float(grad_(x) @ p), 1.0
        for _ in range(200):
            f_new = f_(x + alpha * p)
            gap = f_new - (fx + 1e-4 * alpha * slope)
            margins.append(abs(gap) / max(abs(fx), abs(f_new), 1e-300))
            if gap <= 0:
                return alpha
            alpha *= 0.5
        raise RuntimeError("the harness found no Armijo step")

    quasi_newton_trace(method, f, grad, x0, steps, m, line_search=recording_line_search)
    return min(margins)


@oracle
def reference_trace(method, f, grad, x0, steps, m=10, mistake=None):
    """:func:`quasi_newton_trace` with the reference line search, memoised."""
    return quasi_newton_trace(method, f, grad, x0, steps, m, mistake)


@oracle
def negative_curvature_case(seed: int, method: str, m: int) -> dict:
    """A separable log problem on which ``method`` meets a pair with ``s @ y < 0`` after used pairs.

    Draws problems from ``seed`` until the reference trace has ``need`` used pairs then a
    rejected one ('u' for BFGS; m + 1 for L-BFGS, so the memory is full), and every decision
    (Armijo tests, ``s @ y`` against 1e-10) is far from a tie. Returns the problem's arrays,
    ``x0`` and ``steps`` (the rejected pair, then three more steps).
    """
    rng = np.random.default_rng(seed)
    need = "u" if method == "bfgs_minimize" else "u" * (m + 1)
    for _ in range(500):
        n = int(rng.integers(3, 8))
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        lam = np.exp(rng.uniform(0.0, np.log(10.0), n))
        x_star = rng.standard_normal(n)
        d = rng.standard_normal(n)
        x0 = x_star + rng.uniform(3.0, 5.0) * d / np.linalg.norm(d)
        f, grad = separable_log_functions(Q, lam, x_star)
        _, kinds, _ = quasi_newton_trace(method, f, grad, x0, 16, m)
        j = kinds.find(need + "N")
        if j < 0:
            continue
        steps = j + len(need) + 4
        _, _, margin = quasi_newton_trace(method, f, grad, x0, steps, m)
        if margin > 1e-8 and armijo_margin_of_trace(method, f, grad, x0, steps, m) > 1e-8:
            return {"Q": Q, "lam": lam, "x_star": x_star, "x0": x0, "steps": steps}
    raise RuntimeError("the harness found no suitable problem")


@oracle
def small_pair_case(seed: int, method: str) -> dict:
    """A quadratic started so close to its minimiser that the first pairs have ``0 < s @ y <= 1e-10``.

    The quadratic is centred (``f = 0.5 e^T A e``) so every decision is scale-free except the
    ``1e-10`` threshold: the start is scaled so that the first pair has ``s @ y = 1e-11``. API.md's
    methods reject every pair there (BFGS keeps ``H = I``, L-BFGS its empty memory: steepest
    descent); a method that uses pairs with ``0 < s @ y <= 1e-10`` takes quasi-Newton steps.
    For L-BFGS the start is farther, so that pairs are used first and then a small one clears them.
    Returns ``A``, ``x_star``, ``x0``, ``steps`` and ``scale`` (the size of ``x0 - x_star``).
    """
    rng = np.random.default_rng(seed)
    for _ in range(200):
        n = int(rng.integers(4, 9))
        A = spd(rng, n, 1.0, 10.0)
        x_star = rng.standard_normal(n)
        d = rng.standard_normal(n)
        d /= np.linalg.norm(d)
        f, grad, _ = centered_functions(A, x_star)
        # the scale at which the first pair has s @ y = 1e-11 (s @ y grows like scale**2)
        x1 = quasi_newton_trace(method, f, grad, x_star + d, 1)[0]
        s = x1 - (x_star + d)
        scale = float(np.sqrt(1e-11 / (s @ (A @ s))))
        if method == "lbfgs_minimize":
            scale *= 10 ** rng.uniform(1.0, 1.5)  # pairs are used first, until s @ y falls below 1e-10
        x0 = x_star + scale * d
        _, kinds, _ = quasi_newton_trace(method, f, grad, x0, 30)
        if method == "bfgs_minimize":
            if not kinds.startswith("zzzz"):
                continue
            steps = 4
        else:
            j = kinds.find("uuz")
            if j < 0:
                continue
            steps = j + 3 + 3  # the small pair, then three more steps
        _, _, margin = quasi_newton_trace(method, f, grad, x0, steps)
        # every s @ y at most half of 1e-10 or at least twice it; Armijo decisions far from ties
        if margin >= 0.5 and armijo_margin_of_trace(method, f, grad, x0, steps) > 1e-8:
            return {"A": A, "x_star": x_star, "x0": x0, "steps": steps, "scale": scale}
    raise RuntimeError("the harness found no suitable problem")


def krylov_iterate(A, b, x0, k):
    """The ``k``-th CG iterate: the minimiser of the A-norm error over ``x0 + span{r0, A r0, ...}``."""
    r0 = b - A @ x0
    K = np.empty((len(b), k))
    v = r0.copy()
    for j in range(k):
        K[:, j] = v
        v = A @ v
    Q, _ = np.linalg.qr(K)
    return x0 + Q @ np.linalg.solve(Q.T @ A @ Q, Q.T @ r0)


@oracle
def cg_reference(A, b, x0=None, tol=1e-10, max_iter=None, mistake=None):
    """Linear CG as API.md states it, or with ``mistake`` (a hint id): returns ``(x, n_iter)``.

    Mistakes: ``cg_absolute_tol`` (stops at ``norm(r) <= tol``), ``cg_squared_residual`` (compares
    ``r @ r`` with ``tol * norm(b)``), ``cg_tol_relative_to_r0`` (``tol * norm(r0)``),
    ``cg_strict_stopping_rule`` (``<`` for ``<=``), ``cg_max_iter_n`` (``max_iter`` defaults to n).
    """
    n = len(b)
    if max_iter is None:
        max_iter = n if mistake == "cg_max_iter_n" else 10 * n
    x = np.zeros(n) if x0 is None else np.array(x0, dtype=np.float64)
    r = b - A @ x
    p = r.copy()
    rs = float(r @ r)
    threshold = {"cg_absolute_tol": tol, "cg_tol_relative_to_r0": tol * np.sqrt(rs)}.get(mistake, tol * np.linalg.norm(b))

    def done(rs):
        if mistake == "cg_squared_residual":
            return rs <= threshold
        if mistake == "cg_strict_stopping_rule":
            return np.sqrt(rs) < threshold
        return np.sqrt(rs) <= threshold

    n_iter = 0
    while n_iter < max_iter and not done(rs):
        Ap = A @ p
        alpha = rs / (p @ Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        rs_new = float(r @ r)
        p = r + (rs_new / rs) * p
        rs = rs_new
        n_iter += 1
    return x, n_iter


# =========================================================================== 4. checks


def check_at_most(value, bound, name):
    """``value`` (a number) must be finite and at most ``bound``; the message names both (never hidden inputs)."""
    value = float(np.asarray(value, dtype=np.float64).reshape(-1)[0]) if np.size(value) == 1 else np.inf
    if not np.isfinite(value) or value > bound:
        raise AssertionError(f"{name} is {value:.4g}, it should be at most {bound:.4g}")


def check_count(value, expected, name, hints=None):
    """``value`` must be the integer ``expected`` (an iteration count); ``hints`` as for ``assert_close``."""
    try:
        actual = int(np.asarray(value).reshape(()))
        integral = float(np.asarray(value).reshape(())) == actual
    except (TypeError, ValueError):
        raise AssertionError(f"{name}: expected an integer, got a value of type {type(value).__name__}") from None
    if not integral:
        raise AssertionError(f"{name} is {np.asarray(value).reshape(())}, expected the integer {expected}")
    assert_scalar_close(np.float64(actual), np.float64(expected), name=name, rtol=0, atol=0,
                        hints={key: np.float64(wrong) for key, wrong in (hints or {}).items()})


def check_point(x, expected, name, *, rtol=1e-6, atol=1e-8, hints=None):
    """``x`` (a point, shape (n,)) equals ``expected``; ``hints`` as for ``assert_close``."""
    assert_close(x, expected, name=name, rtol=rtol, atol=atol, hints=hints)
