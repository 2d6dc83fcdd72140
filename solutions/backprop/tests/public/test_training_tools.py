"""Public tests: gradient clipping, L1/L2 penalties, numeric gradient, the two-layer net."""

import numpy as np
import pytest


def _grads():
    rng = np.random.default_rng(0)
    return {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4), "V": rng.standard_normal((2, 2, 2))}


@pytest.mark.task("clip_grad")
def test_clip_grad_norm(submission, frozen):
    """clip_grad_norm with max_norm below (1.0) and above (100.0) the global norm."""
    true_total = float(np.sqrt(sum(np.sum(g**2) for g in _grads().values())))
    for max_norm in (1.0, 100.0):
        clipped, total = submission.clip_grad_norm(_grads(), max_norm)
        frozen.check(f"clip_{max_norm}.total_norm", total)
        for key, g in _grads().items():
            # Only the mistake that changes the result for this max_norm (a hint equal to the right answer
            # would be named for any near miss).
            if max_norm < true_total:
                hints = {"clipped each array by its own norm": g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6))}
            else:
                hints = {"scaled the gradients up (clamp the coefficient to 1)": g * max_norm / (true_total + 1e-6)}
            frozen.check(f"clip_{max_norm}.{key}", clipped[key], hints=hints)


@pytest.mark.task("regularization")
def test_l1_l2(submission, frozen):
    """l1_regularization and l2_regularization with reg = 0.3."""
    squares = sum(np.sum(w**2) for w in _grads().values())
    loss_hints = {"l1": {"used the squared weights (that is L2)": 0.3 * squares}, "l2": {"forgot the 0.5": 0.3 * squares}}
    for kind in ("l1", "l2"):
        loss, grads = getattr(submission, f"{kind}_regularization")(_grads(), 0.3)
        frozen.check(f"{kind}.loss", loss, hints=loss_hints[kind])
        for key, w in _grads().items():
            grad_hints = ({"used reg * w for L1 (it is reg * sign(w))": 0.3 * w} if kind == "l1"
                          else {"used 2 * reg * w (with the 0.5 in the loss the gradient is reg * w)": 0.6 * w})
            frozen.check(f"{kind}.{key}", grads[key], hints=grad_hints)


@pytest.mark.task("numeric_gradient")
def test_numeric_gradient(submission, frozen):
    """numeric_gradient of f(x) = sum(sin(x) + x**3 / 3), whose gradient is cos(x) + x**2."""
    x = np.random.default_rng(0).uniform(-2, 2, size=(3, 4))
    def f(z):
        return float(np.sum(np.sin(z) + z**3 / 3))
    grad = submission.numeric_gradient(f, x.copy())
    frozen.check("numgrad.grad", grad, rtol=1e-6, atol=1e-7,
                 hints={"divided by h instead of 2h": 2 * (np.cos(x) + x**2)})
    frozen.check("numgrad.grad_h0.1", submission.numeric_gradient(f, x.copy(), 0.1), rtol=1e-6, atol=1e-7,
                 hints={"ignored h": np.cos(x) + x**2})


def _net():
    rng = np.random.default_rng(0)
    params = {"W1": rng.standard_normal((5, 8)) / 2, "b1": rng.standard_normal(8) / 10,
              "W2": rng.standard_normal((8, 3)) / 3, "b2": rng.standard_normal(3) / 10}
    X = rng.standard_normal((6, 5))
    y = rng.integers(0, 3, size=6)
    return params, X, y


@pytest.mark.task("two_layer_net")
def test_two_layer_net_scores(submission, frozen):
    """two_layer_net_loss with y=None returns the scores (6, 3)."""
    params, X, _ = _net()
    frozen.check("net.scores", submission.two_layer_net_loss(params, X.copy()))


@pytest.mark.task("two_layer_net")
def test_two_layer_net_loss_and_grads(submission, frozen):
    """two_layer_net_loss with reg = 0.1: loss and gradients of W1, b1, W2, b2."""
    params, X, y = _net()
    loss, grads = submission.two_layer_net_loss(params, X.copy(), y.copy(), 0.1)
    frozen.check("net.loss", loss)
    for key in ("W1", "b1", "W2", "b2"):
        frozen.check(f"net.d{key}", grads[key])
