"""Hidden tests of the first-order update rules against torch.optim (float64 oracles).

Every test runs the student's rule and the torch optimiser side by side, feeding both
the same gradient at each step (computed in the harness from the oracle's w), and
passes the student's returned config dict back at every step.
"""

import numpy as np
import pytest
import torch

from autograder.testing import assert_close, float32_tolerances


def _log_uniform(rng, lo, hi):
    return float(10.0 ** rng.uniform(np.log10(lo), np.log10(hi)))


# name -> (task, torch factory from a full config, defaults, custom hyper-parameter sampler, state -> config)
RULES = {
    "sgd": (
        "sgd",
        lambda params, c: torch.optim.SGD(params, lr=c["learning_rate"]),
        {"learning_rate": 1e-2},
        lambda rng: {"learning_rate": rng.uniform(0.02, 0.2)},
        lambda state, c: {},
    ),
    "sgd_momentum": (
        "momentum",
        lambda params, c: torch.optim.SGD(params, lr=c["learning_rate"], momentum=c["momentum"]),
        {"learning_rate": 1e-2, "momentum": 0.9},
        lambda rng: {"learning_rate": rng.uniform(0.005, 0.05), "momentum": rng.uniform(0.5, 0.95)},
        lambda state, c: {"velocity": -c["learning_rate"] * state["momentum_buffer"].numpy().copy()},
    ),
    "nesterov_momentum": (
        "momentum",
        lambda params, c: torch.optim.SGD(params, lr=c["learning_rate"], momentum=c["momentum"], nesterov=True),
        {"learning_rate": 1e-2, "momentum": 0.9},
        lambda rng: {"learning_rate": rng.uniform(0.005, 0.05), "momentum": rng.uniform(0.5, 0.95)},
        lambda state, c: {"velocity": -c["learning_rate"] * state["momentum_buffer"].numpy().copy()},
    ),
    "adagrad": (
        "adagrad_adadelta",
        lambda params, c: torch.optim.Adagrad(params, lr=c["learning_rate"], eps=c["epsilon"]),
        {"learning_rate": 1e-2, "epsilon": 1e-10},
        lambda rng: {"learning_rate": rng.uniform(0.05, 0.5), "epsilon": _log_uniform(rng, 1e-8, 1e-6)},
        lambda state, c: {"cache": state["sum"].numpy().copy()},
    ),
    "adadelta": (
        "adagrad_adadelta",
        lambda params, c: torch.optim.Adadelta(params, lr=c["learning_rate"], rho=c["rho"], eps=c["epsilon"]),
        {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6},
        lambda rng: {
            "learning_rate": rng.uniform(0.5, 2.0),
            "rho": rng.uniform(0.8, 0.99),
            "epsilon": _log_uniform(rng, 1e-7, 1e-5),
        },
        lambda state, c: {
            "square_avg": state["square_avg"].numpy().copy(),
            "acc_delta": state["acc_delta"].numpy().copy(),
        },
    ),
    "rmsprop": (
        "rmsprop",
        lambda params, c: torch.optim.RMSprop(params, lr=c["learning_rate"], alpha=c["decay_rate"], eps=c["epsilon"]),
        {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
        lambda rng: {
            "learning_rate": rng.uniform(1e-3, 3e-2),
            "decay_rate": rng.uniform(0.8, 0.995),
            "epsilon": _log_uniform(rng, 1e-9, 1e-7),
        },
        lambda state, c: {"cache": state["square_avg"].numpy().copy()},
    ),
    "adam": (
        "adam",
        lambda params, c: torch.optim.Adam(params, lr=c["learning_rate"], betas=(c["beta1"], c["beta2"]), eps=c["epsilon"]),
        {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
        lambda rng: {
            "learning_rate": rng.uniform(1e-3, 3e-2),
            "beta1": rng.uniform(0.5, 0.95),
            "beta2": rng.uniform(0.9, 0.9999),
            "epsilon": _log_uniform(rng, 1e-9, 1e-7),
        },
        lambda state, c: {
            "m": state["exp_avg"].numpy().copy(),
            "v": state["exp_avg_sq"].numpy().copy(),
            "t": int(state["step"].item()),
        },
    ),
    "nadam": (
        "nadam",
        lambda params, c: torch.optim.NAdam(
            params, lr=c["learning_rate"], betas=(c["beta1"], c["beta2"]), eps=c["epsilon"], momentum_decay=c["momentum_decay"]
        ),
        {"learning_rate": 2e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "momentum_decay": 4e-3},
        lambda rng: {
            "learning_rate": rng.uniform(1e-3, 3e-2),
            "beta1": rng.uniform(0.5, 0.95),
            "beta2": rng.uniform(0.9, 0.9999),
            "epsilon": _log_uniform(rng, 1e-9, 1e-7),
            "momentum_decay": _log_uniform(rng, 1e-3, 3e-2),
        },
        lambda state, c: {
            "m": state["exp_avg"].numpy().copy(),
            "v": state["exp_avg_sq"].numpy().copy(),
            "t": int(state["step"].item()),
            "mu_product": float(state["mu_product"].item()),
        },
    ),
}

ADAPTIVE = ["adagrad", "adadelta", "rmsprop", "adam", "nadam"]


def _params(names):
    return [pytest.param(name, marks=pytest.mark.task(RULES[name][0]), id=name) for name in names]


def _factory(name, config):
    make = RULES[name][1]
    return lambda params: make(params, config)


def _random_shape(rng, matrix):
    d = int(rng.integers(3, 9))
    return (d, int(rng.integers(2, 5))) if matrix else (d,)


@pytest.mark.parametrize("name", _params(RULES))
def test_default_config(submission, rng, helpers, name):
    """config=None on the first call: the defaults of API.md, 60 steps, config passed back each step."""
    defaults = RULES[name][2]
    w0, grad_fn = helpers.least_squares_problem(rng, _random_shape(rng, matrix=False))
    student, oracle, _, _ = helpers.run_trajectory(submission, name, _factory(name, defaults), w0, grad_fn, None, 60)
    helpers.compare_trajectory(student, oracle, name)


@pytest.mark.parametrize("name", _params(RULES))
def test_custom_hyperparameters_200_steps(submission, rng, helpers, name):
    """Non-default hyper-parameters on a (d, k) weight matrix, 200 steps."""
    custom = RULES[name][3](rng)
    w0, grad_fn = helpers.least_squares_problem(rng, _random_shape(rng, matrix=True))
    student, oracle, _, _ = helpers.run_trajectory(submission, name, _factory(name, custom), w0, grad_fn, dict(custom), 200)
    helpers.compare_trajectory(student, oracle, name)


@pytest.mark.parametrize("name", _params(["sgd_momentum", "nesterov_momentum", "adagrad", "adadelta", "rmsprop", "adam", "nadam"]))
def test_resume_from_config_state(submission, rng, helpers, name):
    """Start from a config whose state keys (API.md names) hold the state of a running optimiser."""
    task, make, defaults, sample, to_config = RULES[name]
    custom = sample(rng)
    w0, grad_fn = helpers.least_squares_problem(rng, _random_shape(rng, matrix=True))
    p, opt = helpers.advance_oracle(_factory(name, custom), w0, grad_fn, int(rng.integers(5, 40)))
    config = dict(custom)
    config.update(to_config(helpers.torch_state(opt), custom))
    student, oracle, _ = helpers.continue_trajectory(submission, name, p, opt, grad_fn, config, 20)
    helpers.compare_trajectory(student, oracle, name)


@pytest.mark.parametrize("name", _params(["sgd_momentum", "nesterov_momentum", "adagrad", "adadelta", "rmsprop", "adam", "nadam"]))
def test_partial_config_gets_defaults(submission, rng, helpers, name):
    """A config holding only learning_rate: every other key takes its default."""
    defaults = dict(RULES[name][2])
    lr = RULES[name][3](rng)["learning_rate"]
    defaults["learning_rate"] = lr
    w0, grad_fn = helpers.least_squares_problem(rng, _random_shape(rng, matrix=False))
    student, oracle, _, _ = helpers.run_trajectory(
        submission, name, _factory(name, defaults), w0, grad_fn, {"learning_rate": lr}, 30
    )
    helpers.compare_trajectory(student, oracle, name)


@pytest.mark.parametrize("name", _params(RULES))
def test_float32_inputs(submission, rng, helpers, name):
    """float32 w and dw: the trajectory must match at float32 tolerances."""
    custom = RULES[name][3](rng)
    w0, grad_fn = helpers.least_squares_problem(rng, _random_shape(rng, matrix=True))
    student, oracle, _, _ = helpers.run_trajectory(
        submission, name, _factory(name, custom), w0, grad_fn, dict(custom), 30, dtype=np.float32
    )
    helpers.compare_trajectory(student, oracle, name, **float32_tolerances)


@pytest.mark.parametrize("name", _params(ADAPTIVE))
def test_tiny_gradients_epsilon_placement(submission, rng, helpers, name):
    """Gradients of order 1e-6: where epsilon sits (inside or outside the square root) matters here."""
    defaults = RULES[name][2]
    w0, grad_fn = helpers.least_squares_problem(rng, _random_shape(rng, matrix=False), scale=1e-6)
    student, oracle, _, _ = helpers.run_trajectory(submission, name, _factory(name, defaults), w0, grad_fn, dict(defaults), 30)
    helpers.compare_trajectory(student, oracle, name, atol=1e-10)


@pytest.mark.task("sgd")
def test_sgd_single_step_and_config(submission, rng, helpers):
    """One SGD step on a random 3-D parameter array; the returned config keeps learning_rate."""
    shape = tuple(int(s) for s in rng.integers(2, 5, size=3))
    w = rng.standard_normal(shape)
    dw = rng.standard_normal(shape)
    lr = float(rng.uniform(0.01, 1.0))
    next_w, config = submission.sgd(w.copy(), dw.copy(), {"learning_rate": lr})
    p = torch.tensor(w.copy(), requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    p.grad = torch.tensor(dw.copy())
    opt.step()
    assert_close(next_w, p.detach(), name="next_w")
    assert_close(np.float64(config["learning_rate"]), np.float64(lr), name="config['learning_rate']")
