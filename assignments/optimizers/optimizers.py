"""Optimisation algorithms: first-order update rules and second-order methods.

First-order update rules
------------------------
Every rule has the signature ``rule(w, dw, config=None) -> (next_w, config)``:

- ``w``: array of any shape (the current parameters).
- ``dw``: array of the same shape (the gradient of the loss with respect to ``w``).
- ``config``: a dict of hyper-parameters and optimiser state (moving averages,
  step count, ...). Missing keys get the defaults given in each docstring.
  Per-step state is stored back into ``config`` so that the caller can pass the
  same dict to the next call. The rule may mutate ``config`` and return it.

Returns ``next_w`` (same shape as ``w``) and ``config``.

Each rule must reproduce, step after step, the trajectory of the named
``torch.optim`` optimiser at a constant learning rate.

Second-order and line-search methods
------------------------------------
``f``, ``grad`` and ``hess`` are Python callables of a 1-D array ``x`` of shape
``(n,)``: ``f(x)`` is a float, ``grad(x)`` an array ``(n,)``, ``hess(x)`` an
array ``(n, n)``.
"""

import numpy as np


# --------------------------------------------------------------------------- first-order rules


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent: ``w -= learning_rate * dw``.

    Inputs:
    - w: array of any shape, the parameters.
    - dw: array shaped like w, the gradient.
    - config: dict with
      - learning_rate: scalar learning rate (default 1e-2).

    Returns (next_w, config): next_w shaped like w.
    Oracle: torch.optim.SGD(lr=learning_rate).
    """
    raise NotImplementedError("sgd: implement sgd")


def sgd_momentum(w, dw, config=None):
    """SGD with (heavy-ball) momentum.

    v = momentum * v - learning_rate * dw
    w = w + v

    Inputs:
    - w: array of any shape, the parameters.
    - dw: array shaped like w, the gradient.
    - config: dict with
      - learning_rate: scalar learning rate (default 1e-2).
      - momentum: scalar in [0, 1), the momentum coefficient mu (default 0.9).
      - velocity: array shaped like w, the running velocity v (zeros if absent).

    Returns (next_w, config); config["velocity"] holds the new velocity.
    Oracle: torch.optim.SGD(lr, momentum): its momentum buffer b satisfies
    v = -learning_rate * b, so the trajectories are equal at a constant lr.
    """
    raise NotImplementedError("momentum: implement sgd_momentum")


def nesterov_momentum(w, dw, config=None):
    """SGD with Nesterov momentum (the gradient is "taken at the look-ahead point").

    In the form that only needs the gradient at the current w:

    v_new = momentum * v - learning_rate * dw
    w = w + momentum * v_new - learning_rate * dw
      (equivalently w = w - momentum * v + (1 + momentum) * v_new)

    Inputs:
    - w: array of any shape, the parameters.
    - dw: array shaped like w, the gradient.
    - config: dict with
      - learning_rate: scalar learning rate (default 1e-2).
      - momentum: scalar in [0, 1) (default 0.9).
      - velocity: array shaped like w (zeros if absent).

    Returns (next_w, config); config["velocity"] holds v_new.
    Oracle: torch.optim.SGD(lr, momentum, nesterov=True).
    """
    raise NotImplementedError("momentum: implement nesterov_momentum")


def adagrad(w, dw, config=None):
    """AdaGrad: per-parameter learning rates from the sum of all squared gradients.

    cache = cache + dw**2
    w = w - learning_rate * dw / (sqrt(cache) + epsilon)

    Inputs:
    - w: array of any shape, the parameters.
    - dw: array shaped like w, the gradient.
    - config: dict with
      - learning_rate: scalar (default 1e-2).
      - epsilon: small scalar added to the denominator (default 1e-10).
      - cache: array shaped like w, the sum of squared gradients (zeros if absent).

    Returns (next_w, config). Oracle: torch.optim.Adagrad(lr, eps=epsilon).
    """
    raise NotImplementedError("adagrad_adadelta: implement adagrad")


def adadelta(w, dw, config=None):
    """Adadelta: RMSProp whose step is rescaled by the RMS of past updates.

    square_avg = rho * square_avg + (1 - rho) * dw**2
    delta      = sqrt(acc_delta + epsilon) / sqrt(square_avg + epsilon) * dw
    acc_delta  = rho * acc_delta + (1 - rho) * delta**2
    w          = w - learning_rate * delta

    Inputs:
    - w: array of any shape, the parameters.
    - dw: array shaped like w, the gradient.
    - config: dict with
      - learning_rate: scalar (default 1.0).
      - rho: decay rate of both averages (default 0.9).
      - epsilon: small scalar inside both square roots (default 1e-6).
      - square_avg: array shaped like w (zeros if absent).
      - acc_delta: array shaped like w (zeros if absent).

    Returns (next_w, config). Oracle: torch.optim.Adadelta(lr, rho, eps=epsilon).
    """
    raise NotImplementedError("adagrad_adadelta: implement adadelta")


def rmsprop(w, dw, config=None):
    """RMSProp: a moving average of squared gradients sets per-parameter step sizes.

    cache = decay_rate * cache + (1 - decay_rate) * dw**2
    w = w - learning_rate * dw / (sqrt(cache) + epsilon)

    Inputs:
    - w: array of any shape, the parameters.
    - dw: array shaped like w, the gradient.
    - config: dict with
      - learning_rate: scalar (default 1e-2).
      - decay_rate: scalar in [0, 1) (default 0.99).
      - epsilon: small scalar (default 1e-8).
      - cache: array shaped like w, the moving average of dw**2 (zeros if absent).

    Returns (next_w, config). Oracle: torch.optim.RMSprop(lr, alpha=decay_rate, eps=epsilon).
    """
    raise NotImplementedError("rmsprop: implement rmsprop")


def adam(w, dw, config=None):
    """Adam: momentum (first moment) + RMSProp (second moment), with bias correction.

    t = t + 1
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1**t),  v_hat = v / (1 - beta2**t)
    w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    Inputs:
    - w: array of any shape, the parameters.
    - dw: array shaped like w, the gradient.
    - config: dict with
      - learning_rate: scalar (default 1e-3).
      - beta1: decay of the first moment (default 0.9).
      - beta2: decay of the second moment (default 0.999).
      - epsilon: small scalar (default 1e-8).
      - m, v: arrays shaped like w (zeros if absent).
      - t: the number of steps taken so far (0 if absent); incremented BEFORE use.

    Returns (next_w, config). Oracle: torch.optim.Adam(lr, betas=(beta1, beta2), eps=epsilon).
    """
    raise NotImplementedError("adam: implement adam")


def nadam(w, dw, config=None):
    """NAdam: Adam with Nesterov momentum and a momentum-decay schedule (torch's form).

    t = t + 1
    mu_t      = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next   = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    mu_product = mu_product * mu_t
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    denom = sqrt(v / (1 - beta2**t)) + epsilon
    w = w - learning_rate * (1 - mu_t) / (1 - mu_product) * dw / denom
          - learning_rate * mu_next / (1 - mu_product * mu_next) * m / denom

    Inputs:
    - w: array of any shape, the parameters.
    - dw: array shaped like w, the gradient.
    - config: dict with
      - learning_rate: scalar (default 2e-3).
      - beta1, beta2: moment decays (defaults 0.9, 0.999).
      - epsilon: small scalar (default 1e-8).
      - momentum_decay: psi of the schedule (default 4e-3).
      - m, v: arrays shaped like w (zeros if absent).
      - t: steps taken so far (0 if absent); incremented before use.
      - mu_product: product of mu_1..mu_t so far (1.0 if absent).

    Returns (next_w, config). Oracle: torch.optim.NAdam(lr, betas, eps, momentum_decay).
    """
    raise NotImplementedError("nadam: implement nadam")


# --------------------------------------------------------------------------- second-order methods


def newton_step(x, g, H):
    """One Newton step ``x - H^{-1} g``, computed by solving ``H d = g`` (never invert H).

    Inputs:
    - x: array (n,), the current point.
    - g: array (n,), the gradient at x.
    - H: array (n, n), the Hessian at x (symmetric, non-singular).

    Returns x_next: array (n,).
    """
    raise NotImplementedError("newton: implement newton_step")


def newton_minimize(f, grad, hess, x0, tol=1e-8, max_iter=100):
    """Pure Newton's method: repeat ``x = newton_step(x, grad(x), hess(x))``.

    Inputs:
    - f: callable x (n,) -> float (not needed by pure Newton; part of the interface).
    - grad: callable x (n,) -> array (n,).
    - hess: callable x (n,) -> array (n, n).
    - x0: array (n,), the starting point (do not modify it).
    - tol: stop as soon as norm(grad(x)) < tol.
    - max_iter: the largest number of steps.

    Returns (x, n_iter): x array (n,), n_iter the number of steps taken
    (0 when x0 already satisfies the tolerance).
    """
    raise NotImplementedError("newton: implement newton_minimize")


def backtracking_line_search(f, grad, x, p, alpha0=1.0, c=1e-4, rho=0.5):
    """Backtracking (Armijo) line search along a descent direction ``p``.

    Returns the first alpha in alpha0, alpha0*rho, alpha0*rho**2, ... that satisfies
    the sufficient-decrease (Armijo) condition

        f(x + alpha * p) <= f(x) + c * alpha * grad(x) @ p.

    Inputs:
    - f: callable x (n,) -> float.
    - grad: callable x (n,) -> array (n,).
    - x: array (n,), the current point.
    - p: array (n,), a descent direction (grad(x) @ p < 0).
    - alpha0: the first step length tried.
    - c: the sufficient-decrease constant, in (0, 1).
    - rho: the shrink factor, in (0, 1).

    Returns alpha: a float.
    """
    raise NotImplementedError("line_search: implement backtracking_line_search")


def bfgs_minimize(f, grad, x0, tol=1e-6, max_iter=500):
    """BFGS with inverse-Hessian updates and a backtracking line search.

    H_0 = I. At each step: p = -H g; alpha from backtracking_line_search(f, grad, x, p)
    (default parameters); s = alpha p; y = grad(x + s) - grad(x); and, when
    s @ y > 1e-10 (otherwise skip the update),

        H = (I - rho s y^T) H (I - rho y s^T) + rho s s^T,   rho = 1 / (y @ s).

    Inputs:
    - f: callable x (n,) -> float.
    - grad: callable x (n,) -> array (n,).
    - x0: array (n,), the starting point.
    - tol: stop as soon as norm(grad(x)) < tol.
    - max_iter: the largest number of steps.

    Returns (x, n_iter): x array (n,), n_iter the number of steps taken.
    """
    raise NotImplementedError("bfgs: implement bfgs_minimize")


def lbfgs_direction(g, s_list, y_list):
    """L-BFGS two-loop recursion: the search direction ``-H_k g``.

    Inputs:
    - g: array (n,), the current gradient.
    - s_list: list of arrays (n,), the steps s_i = x_{i+1} - x_i, OLDEST FIRST.
    - y_list: list of arrays (n,), the gradient changes y_i = g_{i+1} - g_i, same order.
      Every pair has s_i @ y_i > 0.

    The initial matrix is H0 = gamma * I with gamma = (s @ y) / (y @ y) of the NEWEST
    pair (identity when the lists are empty).

    Returns p: array (n,), equal to -H_k g where H_k is the BFGS inverse-Hessian
    approximation obtained by applying the pairs, oldest first, to H0.
    """
    raise NotImplementedError("lbfgs: implement lbfgs_direction")


def lbfgs_minimize(f, grad, x0, m=10, tol=1e-6, max_iter=500):
    """Limited-memory BFGS: lbfgs_direction + backtracking_line_search (defaults).

    Keeps the last ``m`` pairs (s, y); a new pair with s @ y <= 1e-10 is not stored
    and clears the memory instead.

    Inputs:
    - f: callable x (n,) -> float.
    - grad: callable x (n,) -> array (n,).
    - x0: array (n,), the starting point.
    - m: the number of pairs kept.
    - tol: stop as soon as norm(grad(x)) < tol.
    - max_iter: the largest number of steps.

    Returns (x, n_iter): x array (n,), n_iter the number of steps taken.
    """
    raise NotImplementedError("lbfgs: implement lbfgs_minimize")


def conjugate_gradient(A, b, x0=None, tol=1e-10, max_iter=None):
    """Linear conjugate gradient for ``A x = b`` with A symmetric positive definite.

    Inputs:
    - A: array (n, n), symmetric positive definite.
    - b: array (n,).
    - x0: array (n,), the starting point (zeros if None).
    - tol: stop as soon as norm(r) <= tol * norm(b), where r = b - A x.
    - max_iter: the largest number of iterations (default 10 * n).

    Returns (x, n_iter): x array (n,), n_iter the number of iterations taken
    (0 when x0 already satisfies the tolerance).
    """
    raise NotImplementedError("cg: implement conjugate_gradient")
