"""Hidden tests of the first-order update rules against torch.optim (float64 oracles).

Every test runs the student's rule on the gradients of torch's own trajectory (computed
once per batch by ``helpers.torch_trajectory``), passes the student's returned config
back at every step, and compares ``w`` after each step. One test checks one thing:
tests pass every hyper-parameter explicitly, except the test of each default, which
leaves out exactly that key; the state keys (velocity, cache, m, v, t, ...) start absent
as a caller starts a fresh optimiser, and ``test_resume_from_config_state`` gives them
values. Adam's and NAdam's ``t`` counted from 1 is graded by ``test_default_t_is_0`` only.
"""

import numpy as np
import pytest

from autograder.testing import assert_close, float32_tolerances
from helpers import (
    COUNTS_STEPS,
    DEFAULTS,
    compare_trajectory,
    least_squares_problem,
    mistake_hints,
    run_student,
    t_from_one_accepted,
    torch_trajectory,
)

TASKS = {
    "sgd": "sgd",
    "sgd_momentum": "momentum",
    "nesterov_momentum": "momentum",
    "adagrad": "adagrad_adadelta",
    "adadelta": "adagrad_adadelta",
    "rmsprop": "rmsprop",
    "adam": "adam",
    "nadam": "nadam",
}
ADAPTIVE = ["adagrad", "adadelta", "rmsprop", "adam", "nadam"]
WITH_STATE = ["sgd_momentum", "nesterov_momentum", "adagrad", "adadelta", "rmsprop", "adam", "nadam"]


def _log_uniform(rng, lo, hi):
    return float(10.0 ** rng.uniform(np.log10(lo), np.log10(hi)))


def custom_hyperparameters(rng, rule):
    """Non-default hyper-parameters for ``rule``: every key present, each far from its default."""
    if rule == "sgd":
        return {"learning_rate": rng.uniform(0.02, 0.2)}
    if rule in ("sgd_momentum", "nesterov_momentum"):
        return {"learning_rate": rng.uniform(0.02, 0.05), "momentum": rng.uniform(0.5, 0.8)}
    if rule == "adagrad":
        return {"learning_rate": rng.uniform(0.05, 0.5), "epsilon": _log_uniform(rng, 1e-8, 1e-6)}
    if rule == "adadelta":
        return {"learning_rate": rng.uniform(0.5, 0.8) if rng.random() < 0.5 else rng.uniform(1.3, 2.0),
                "rho": rng.uniform(0.8, 0.85), "epsilon": _log_uniform(rng, 1e-7, 3e-7)}
    if rule == "rmsprop":
        return {"learning_rate": rng.uniform(2e-2, 5e-2), "decay_rate": rng.uniform(0.8, 0.95),
                "epsilon": _log_uniform(rng, 1e-7, 1e-6)}
    if rule == "adam":
        return {"learning_rate": rng.uniform(3e-3, 3e-2), "beta1": rng.uniform(0.5, 0.8), "beta2": rng.uniform(0.9, 0.99),
                "epsilon": _log_uniform(rng, 1e-7, 1e-6)}
    if rule == "nadam":
        return {"learning_rate": rng.uniform(4e-3, 3e-2), "beta1": rng.uniform(0.5, 0.8), "beta2": rng.uniform(0.9, 0.99),
                "epsilon": _log_uniform(rng, 1e-7, 1e-6), "momentum_decay": _log_uniform(rng, 1e-2, 3e-2)}
    raise KeyError(rule)


def _params(names):
    return [pytest.param(name, marks=pytest.mark.task(TASKS[name]), id=name) for name in names]


def _random_shape(rng, matrix):
    d = int(rng.integers(3, 9))
    return (d, int(rng.integers(2, 5))) if matrix else (d,)


def _check(submission, rule, hyper, config, problem, steps, *, dtype="float64", others=None, accept_t_from_one=True,
           **tolerances):
    """Run the student's rule from ``config`` and compare with torch's trajectory for ``hyper``."""
    reference = torch_trajectory(rule, hyper, problem, steps, dtype)
    student, _ = run_student(submission, rule, reference["w_start"], reference["dws"], config)
    hints = mistake_hints(rule, hyper, reference["w_start"], reference["dws"], others)
    accepted = t_from_one_accepted(rule, hyper, reference["w_start"], reference["dws"]) if accept_t_from_one else {}
    compare_trajectory(student, reference["ws"], rule, hints=hints, accepted=accepted, **tolerances)


# --------------------------------------------------------------------------- the rule itself


@pytest.mark.parametrize("rule", _params(TASKS))
def test_trajectory_200_steps(submission, rng, rule):
    """Non-default hyper-parameters (all given) on a (d, k) weight matrix, 200 steps from a fresh start."""
    hyper = custom_hyperparameters(rng, rule)
    problem = least_squares_problem(rng, _random_shape(rng, matrix=True), 200)
    _check(submission, rule, hyper, dict(hyper), problem, 200)


@pytest.mark.parametrize("rule", _params(TASKS))
def test_float32_inputs(submission, rng, rule):
    """float32 w and dw: the trajectory must match at float32 tolerances."""
    hyper = custom_hyperparameters(rng, rule)
    problem = least_squares_problem(rng, _random_shape(rng, matrix=True), 30)
    _check(submission, rule, hyper, dict(hyper), problem, 30, dtype="float32", **float32_tolerances)


@pytest.mark.parametrize("rule", _params(ADAPTIVE))
def test_tiny_gradients_epsilon_placement(submission, rng, rule):
    """Gradients of order 1e-6 with a given epsilon: where epsilon sits (inside or outside the square root) matters here.

    Compared as displacements ``w - w0`` (Adadelta's steps are of the order of the gradients here).
    """
    hyper = custom_hyperparameters(rng, rule)
    problem = least_squares_problem(rng, _random_shape(rng, matrix=False), 30, scale=1e-6)
    reference = torch_trajectory(rule, hyper, problem, 30)
    w0 = reference["w_start"]
    student, _ = run_student(submission, rule, w0, reference["dws"], dict(hyper))
    hints = {key: value - w0 for key, value in mistake_hints(rule, hyper, w0, reference["dws"]).items()}
    accepted = {text: value - w0 for text, value in t_from_one_accepted(rule, hyper, w0, reference["dws"]).items()}
    compare_trajectory(student - w0, reference["ws"] - w0, f"{rule} displacement", rtol=1e-6, atol=1e-13, hints=hints,
                       accepted=accepted)


# --------------------------------------------------------------------------- defaults, one test each

DEFAULT_KEYS = [(rule, key) for rule in TASKS for key in DEFAULTS[rule]]


def _default_params():
    return [pytest.param(rule, key, marks=pytest.mark.task(TASKS[rule]), id=f"{rule}-{key}") for rule, key in DEFAULT_KEYS]


@pytest.mark.parametrize("rule, key", _default_params())
def test_default_hyperparameter(submission, rng, rule, key):
    """``key`` left out of config (every other hyper-parameter given): API.md's default is used.

    For epsilon the gradients are of the order of the default epsilon, where its value matters.
    """
    hyper = custom_hyperparameters(rng, rule)
    config = {k: v for k, v in hyper.items() if k != key}
    hyper[key] = DEFAULTS[rule][key]
    scale = 10.0 * DEFAULTS[rule]["epsilon"] if key == "epsilon" and rule != "adadelta" else 1.0
    problem = least_squares_problem(rng, _random_shape(rng, matrix=False), 15, scale=scale)
    reference = torch_trajectory(rule, hyper, problem, 15)
    w0 = reference["w_start"]
    student, _ = run_student(submission, rule, w0, reference["dws"], config)
    hints = {k: v - w0 for k, v in mistake_hints(rule, hyper, w0, reference["dws"], others={key: None}).items()}
    accepted = {text: value - w0 for text, value in t_from_one_accepted(rule, hyper, w0, reference["dws"]).items()}
    compare_trajectory(student - w0, reference["ws"] - w0, f"{rule} displacement with the default {key}", rtol=1e-6,
                       atol=1e-13, hints=hints, accepted=accepted)


@pytest.mark.parametrize("rule", _params(COUNTS_STEPS))
def test_default_t_is_0(submission, rng, rule):
    """No 't' in config: t starts at 0 and is incremented before use (the first step uses t = 1)."""
    hyper = custom_hyperparameters(rng, rule)
    problem = least_squares_problem(rng, _random_shape(rng, matrix=False), 15)
    _check(submission, rule, hyper, dict(hyper), problem, 15, others={"t": None}, accept_t_from_one=False)


@pytest.mark.parametrize("rule", _params(TASKS))
def test_config_none_like_empty_dict(submission, rng, rule):
    """config=None on the first call behaves as an empty dict (then the returned config is passed back).

    Compared with the student's own run from ``{}``: the defaults themselves are graded by
    ``test_default_hyperparameter``.
    """
    problem = least_squares_problem(rng, _random_shape(rng, matrix=False), 5)
    reference = torch_trajectory(rule, DEFAULTS[rule], problem, 5)
    from_empty, _ = run_student(submission, rule, reference["w_start"], reference["dws"], {})
    from_none, _ = run_student(submission, rule, reference["w_start"], reference["dws"], None)
    assert_close(from_none, from_empty, name=f"{rule} with config=None (w after each step, against your run from {{}})",
                 rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------- state in config


@pytest.mark.parametrize("rule", _params(WITH_STATE))
def test_resume_from_config_state(submission, rng, rule):
    """Start from a config whose state keys (API.md's names and conventions) hold a running optimiser's state.

    ``velocity`` is -learning_rate times torch's momentum buffer; ``t`` counts the steps taken.
    """
    hyper = custom_hyperparameters(rng, rule)
    warmup = int(rng.integers(5, 40))
    problem = least_squares_problem(rng, _random_shape(rng, matrix=True), warmup + 20)
    reference = torch_trajectory(rule, hyper, problem, 20, "float64", warmup)
    config = dict(hyper, **reference["state"])
    student, _ = run_student(submission, rule, reference["w_start"], reference["dws"], config)
    hints = mistake_hints(rule, dict(hyper, **reference["state"]), reference["w_start"], reference["dws"])
    compare_trajectory(student, reference["ws"], rule, hints=hints)


# --------------------------------------------------------------------------- sgd specifics


@pytest.mark.task("sgd")
def test_sgd_single_step_3d(submission, rng):
    """One SGD step on a random 3-D parameter array."""
    shape = tuple(int(s) for s in rng.integers(2, 5, size=3))
    w, dw = rng.standard_normal(shape), rng.standard_normal(shape)
    lr = float(rng.uniform(0.02, 1.0))
    next_w, _ = submission.sgd(w.copy(), dw.copy(), {"learning_rate": lr})
    assert_close(next_w, w - lr * dw, name="next_w", hints={"learning_rate_ignored": w - DEFAULTS["sgd"]["learning_rate"] * dw})


@pytest.mark.task("sgd")
def test_sgd_returns_config_with_learning_rate(submission, rng):
    """The returned config still holds the learning rate it was given (the caller passes it back next step)."""
    w, dw = rng.standard_normal(5), rng.standard_normal(5)
    lr = float(rng.uniform(0.02, 1.0))
    _, config = submission.sgd(w.copy(), dw.copy(), {"learning_rate": lr})
    if not isinstance(config, dict) or "learning_rate" not in config:
        raise AssertionError("sgd must return (next_w, config) with config['learning_rate'] kept")
    assert_close(np.float64(config["learning_rate"]), np.float64(lr), name="config['learning_rate']")
