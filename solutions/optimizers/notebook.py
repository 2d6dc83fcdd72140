# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Optimisers: from SGD to Adam, from Newton to L-BFGS
#
# Interview notes on deep learning list the optimisers in two families:
#
# * **first-order methods** (一阶方法): stochastic gradient descent, momentum,
#   Nesterov momentum ("牛顿动量法" in the notes), AdaGrad, Adadelta, RMSProp, Adam, Nadam;
# * **second-order methods** (二阶方法): Newton's method, quasi-Newton methods (BFGS, L-BFGS)
#   and the conjugate gradient method.
#
# In this assignment you implement all of them in NumPy. Every first-order rule has the
# CS231n signature `rule(w, dw, config=None) -> (next_w, config)`: `config` holds the
# hyper-parameters **and the optimiser state** (velocity, moving averages, step count), and
# the caller passes the returned dict back at the next step. The grader runs 200 steps of
# your rule next to the matching `torch.optim` optimiser and compares the whole trajectory.
#
# The second-order methods take Python callables `f`, `grad` (and `hess`) of a 1-D array.

# %%
from autograder import Notebook

grader = Notebook("optimizers")

import numpy as np

# %% [markdown]
# ## 1. Gradient descent
#
# Gradient descent (also called steepest descent) moves against the gradient, the direction
# in which the loss decreases fastest: `w <- w - learning_rate * dw`.
#
# * **batch** gradient descent computes `dw` on the whole training set: exact, but one step
#   costs a full pass over the data;
# * **stochastic** gradient descent uses a single sample: cheap and noisy;
# * **mini-batch** SGD, what everybody calls "SGD" today, averages over a batch.
#
# Batch size is a trade-off. Larger batches use the hardware better (large matrix products)
# and give a more accurate direction, so training oscillates less; but past some size the
# direction hardly improves, each epoch has fewer updates, and the memory may not hold the
# batch. Small batches add gradient noise, which is slower per epoch but often generalises
# better.

# %%
# include: sgd

# %%
grader.check("sgd")

# %% [markdown]
# ## 2. Momentum and Nesterov momentum
#
# Momentum simulates the inertia of a ball rolling downhill: the update keeps part of the
# previous direction and corrects it with the current gradient,
#
# ```
# v = mu * v - learning_rate * dw
# w = w + v
# ```
#
# with `mu` around 0.9. Along directions where the gradient keeps its sign, the steps grow
# (up to `1 / (1 - mu)` times); along directions where it flips sign (the walls of a narrow
# valley) successive updates cancel, so oscillations are damped.
#
# **Nesterov momentum** evaluates the gradient at the *look-ahead* point `w + mu * v`, where
# the momentum is about to carry us: it "knows" that a slope is coming and brakes earlier.
# Rewritten in terms of the gradient at the current point (the form used here and by
# `torch.optim.SGD(nesterov=True)`):
#
# ```
# v_new = mu * v - learning_rate * dw
# w     = w + mu * v_new - learning_rate * dw
# ```
#
# Pitfalls: the velocity must be **stored in `config`** (otherwise every step restarts from
# zero and you have plain SGD); and in CS231n's equivalent form
# `w += -mu * v_prev + (1 + mu) * v` keep a copy of the *previous* velocity before
# overwriting it.
#
# Note: `torch.optim.SGD` keeps a buffer `b = mu * b + dw` and steps `w -= lr * b`. Our
# `velocity` is `-learning_rate * b`; at a constant learning rate the trajectories are equal.

# %%
# include: sgd_momentum, nesterov_momentum

# %%
grader.check("momentum")

# %% [markdown]
# ## 3. Per-parameter learning rates: AdaGrad and Adadelta
#
# **AdaGrad** divides each coordinate's step by the root of the sum of all its squared
# gradients so far:
#
# ```
# cache += dw**2
# w -= learning_rate * dw / (sqrt(cache) + eps)
# ```
#
# Rarely updated (sparse) parameters get large steps, frequently updated ones small steps;
# the learning rate needs less tuning. Its weakness: `cache` only grows, so the effective
# learning rate decays towards zero and training can stop too early.
#
# **Adadelta** replaces the sum by an exponential moving average (like RMSProp below) and
# also replaces the learning rate by the RMS of the past *updates*, so that the units of the
# update match the units of `w`:
#
# ```
# square_avg = rho * square_avg + (1 - rho) * dw**2
# delta      = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * dw
# acc_delta  = rho * acc_delta + (1 - rho) * delta**2
# w         -= learning_rate * delta          # learning_rate = 1.0 by default
# ```
#
# Pitfall: **where `eps` goes**. AdaGrad (and RMSProp, Adam) add it *outside* the square
# root; Adadelta puts it *inside* both roots. With gradients of order 1 you cannot tell the
# difference; with gradients of order 1e-6 it changes everything, and the grader tests that.

# %%
# include: adagrad, adadelta

# %%
grader.check("adagrad_adadelta")

# %% [markdown]
# ## 4. RMSProp
#
# RMSProp (Geoff Hinton) fixes AdaGrad's vanishing learning rate with a moving average of
# squared gradients:
#
# ```
# cache = decay_rate * cache + (1 - decay_rate) * dw**2
# w -= learning_rate * dw / (sqrt(cache) + eps)
# ```
#
# Coordinates with large gradients get smaller steps, coordinates with small gradients
# larger ones, so all move at a similar pace: oscillations shrink and a larger learning rate
# can be used. (torch calls `decay_rate` `alpha`.)

# %%
# include: rmsprop

# %%
grader.check("rmsprop")

# %% [markdown]
# ## 5. Adam = momentum + RMSProp
#
# Adam keeps both a moving average of gradients (the first moment, like momentum) and of
# squared gradients (the second moment, like RMSProp):
#
# ```
# t += 1
# m = beta1 * m + (1 - beta1) * dw
# v = beta2 * v + (1 - beta2) * dw**2
# m_hat = m / (1 - beta1**t);  v_hat = v / (1 - beta2**t)
# w -= learning_rate * m_hat / (sqrt(v_hat) + eps)
# ```
#
# Because `m` and `v` start at zero they are biased towards zero in the first steps; the
# **bias correction** divides that bias out. Forgetting it makes the first steps far too
# small (for `v`) or too large (`m` and `v` together do not cancel). Increment `t` **before**
# using it (with `t = 0`, `1 - beta**0 = 0`), and store `m`, `v`, `t` back in `config`.

# %%
# include: adam

# %%
grader.check("adam")

# %% [markdown]
# ## 6. NAdam: Adam with Nesterov momentum
#
# NAdam (Dozat, 2016) puts Nesterov's look-ahead into Adam: the step mixes the current
# gradient and the momentum at the *next* step. torch's version also warms the momentum up
# with a schedule `mu_t = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay))` and keeps the
# product `mu_product = mu_1 * ... * mu_t` in the state. Follow the docstring exactly: it
# is `torch.optim.NAdam`'s update.

# %%
# include: nadam

# %%
grader.check("nadam")

# %% [markdown]
# ### Experiment: a narrow valley
#
# Run SGD, momentum and Adam on an elongated quadratic `f(x, y) = 0.5 (x**2 + 25 y**2)`.
# Plain SGD must keep its learning rate small because of the steep `y` direction, and
# crawls along `x`; momentum builds up speed along `x` while the `y` oscillations cancel;
# Adam rescales both coordinates to a similar step size.

# %%
def valley_grad(p):
    return np.array([p[0], 25.0 * p[1]])


def trajectory(rule, config, steps=60, start=(-4.0, 1.0)):
    p, path = np.array(start), [np.array(start)]
    for _ in range(steps):
        p, config = rule(p, valley_grad(p), config)
        path.append(p)
    return np.array(path)


try:
    import matplotlib.pyplot as plt

    xs, ys = np.meshgrid(np.linspace(-4.5, 1.5, 200), np.linspace(-1.5, 1.5, 200))
    plt.figure(figsize=(8, 4))
    plt.contour(xs, ys, 0.5 * (xs**2 + 25 * ys**2), levels=20, cmap="Greys")
    runs = {
        "SGD lr=0.035": (sgd, {"learning_rate": 0.035}),
        "momentum lr=0.035": (sgd_momentum, {"learning_rate": 0.035, "momentum": 0.8}),
        "Adam lr=0.3": (adam, {"learning_rate": 0.3}),
    }
    for label, (rule, config) in runs.items():
        path = trajectory(rule, dict(config))
        plt.plot(path[:, 0], path[:, 1], ".-", label=label)
    plt.legend()
    plt.title("60 steps on a narrow valley")
    plt.show()
except NotImplementedError as error:
    print("implement the rules first:", error)

# %% [markdown]
# ## 7. Newton's method
#
# Gradient descent only uses the slope. Newton's method also uses the curvature: it fits a
# quadratic model `f(x + d) ~ f(x) + g.d + 0.5 d.H.d` and jumps to its minimum,
#
# ```
# x_next = x - H^{-1} g
# ```
#
# i.e. it looks for a zero of the gradient, like Newton's root finding applied to `grad`.
# Near a minimum with positive definite `H` it converges **quadratically** (the number of
# correct digits doubles each step), and a quadratic function is minimised in **one** step.
# The costs: the Hessian has `n**2` entries and solving with it takes `O(n**3)`, and far from
# a minimum (or where `H` is not positive definite) the step may not even go downhill.
#
# Never form `inv(H)`: solve `H d = g` with `np.linalg.solve` (cheaper and more accurate).
# `newton_minimize` returns `(x, n_iter)` and must take **zero** steps when `x0` already
# satisfies the tolerance: test the gradient *before* stepping.

# %%
# include: newton_step, newton_minimize

# %%
grader.check("newton")

# %% [markdown]
# ## 8. Backtracking line search (Armijo)
#
# Quasi-Newton directions are good but their length is not always right. A backtracking
# line search tries `alpha0, alpha0*rho, alpha0*rho**2, ...` and returns the first step that
# gives a *sufficient decrease*:
#
# ```
# f(x + alpha p) <= f(x) + c * alpha * grad(x) @ p
# ```
#
# (`c = 1e-4` is typical). The right-hand side is the tangent line, made flatter by `c`.
# Pitfalls: forgetting `alpha` on the right-hand side, and shrinking before trying `alpha0`
# (a good direction such as Newton's should be taken with its full length).

# %%
# include: backtracking_line_search

# %%
grader.check("line_search")

# %% [markdown]
# ## 9. Quasi-Newton: BFGS
#
# Quasi-Newton methods never compute the Hessian. They learn it from how the gradient
# changes: after a step `s = x_new - x` with gradient change `y = g_new - g`, the new
# approximation must satisfy the **secant equation** `H y = s` (for the inverse Hessian).
# BFGS picks the closest such symmetric matrix:
#
# ```
# rho = 1 / (y @ s)
# H = (I - rho s y^T) H (I - rho y s^T) + rho s s^T
# ```
#
# starting from `H = I`. The direction is `p = -H g`, the length comes from the line search.
# The update keeps `H` positive definite only when `s @ y > 0` (the curvature condition), so
# a pair with `s @ y <= 1e-10` is skipped. BFGS converges superlinearly, with `O(n**2)`
# memory and work per step instead of Newton's `O(n**3)`.

# %%
# include: bfgs_minimize

# %%
grader.check("bfgs")

# %% [markdown]
# ## 10. L-BFGS
#
# For the millions of parameters of a network even an `n x n` matrix is too much. L-BFGS
# keeps only the last `m` pairs `(s, y)` and applies the BFGS updates implicitly with the
# **two-loop recursion**, in `O(m n)`:
#
# ```
# q = g
# for i from newest to oldest:  a_i = rho_i s_i @ q;   q -= a_i y_i
# r = gamma q,  gamma = (s @ y) / (y @ y) of the newest pair
# for i from oldest to newest:  b = rho_i y_i @ r;     r += (a_i - b) s_i
# return -r
# ```
#
# The scaling `gamma` estimates the size of the inverse Hessian along the last step, which is
# why L-BFGS usually accepts the unit step. Pitfalls: the two loops run in **opposite**
# orders; the scaling uses the **newest** pair; the result is `-H g`, a descent direction.

# %%
# include: lbfgs_direction, lbfgs_minimize

# %%
grader.check("lbfgs")

# %% [markdown]
# ## 11. Conjugate gradient
#
# To minimise the quadratic `0.5 x^T A x - b^T x` (i.e. solve `A x = b` with `A` symmetric
# positive definite), steepest descent zig-zags. Conjugate gradient chooses directions that
# are **A-conjugate** (`p_i^T A p_j = 0`), so each step's progress is never undone: in exact
# arithmetic it finishes in at most `n` iterations, and in as many iterations as `A` has
# distinct eigenvalues. Only products `A p` are needed, never `A` itself.
#
# ```
# r = b - A x;  p = r
# repeat:  alpha = (r @ r) / (p @ A p);  x += alpha p;  r_new = r - alpha A p
#          beta = (r_new @ r_new) / (r @ r);  p = r_new + beta p
# ```
#
# In floating point, conjugacy is gradually lost and an ill-conditioned system can need more
# than `n` iterations; hence the default `max_iter = 10 * n`.

# %%
# include: conjugate_gradient

# %%
grader.check("cg")

# %% [markdown]
# ### Experiment: gradient descent vs Newton vs CG on an ill-conditioned quadratic
#
# How many iterations does each method need to reach `norm(grad) < 1e-6` on a quadratic with
# condition number 1000? Gradient descent with the best fixed step needs on the order of
# `cond * log(1/tol)` iterations; Newton needs one; CG about `n` (at most `n` in exact arithmetic, a few more in floating point).

# %%
try:
    rng = np.random.default_rng(0)
    n = 20
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eig = np.logspace(0, 3, n)
    A = (Q * eig) @ Q.T
    b = rng.standard_normal(n)
    f = lambda x: 0.5 * x @ A @ x - b @ x
    grad = lambda x: A @ x - b
    hess = lambda x: A

    x, gd_iters = np.zeros(n), 0
    while np.linalg.norm(grad(x)) >= 1e-6 and gd_iters < 100000:
        x = x - 2.0 / (eig[0] + eig[-1]) * grad(x)
        gd_iters += 1
    _, newton_iters = newton_minimize(f, grad, hess, np.zeros(n), tol=1e-6)
    _, bfgs_iters = bfgs_minimize(f, grad, np.zeros(n), tol=1e-6)
    _, cg_iters = conjugate_gradient(A, b, tol=1e-6 / np.linalg.norm(b))
    counts = {"gradient descent": gd_iters, "Newton": newton_iters, "BFGS": bfgs_iters, "CG": cg_iters}
    print(counts)

    import matplotlib.pyplot as plt

    plt.bar(list(counts), list(counts.values()))
    plt.yscale("log")
    plt.ylabel("iterations to norm(grad) < 1e-6")
    plt.show()
except NotImplementedError as error:
    print("implement the methods first:", error)

# %% [markdown]
# ## Summary: gradient descent vs Newton
#
# * Gradient descent uses first derivatives only; each step is cheap, but convergence is
#   linear and slows down with the condition number; near the minimum the step must shrink
#   or it oscillates.
# * Newton's method uses the Hessian: quadratic convergence and affine invariance, but
#   `O(n**2)` memory and `O(n**3)` work per step, and it needs a positive definite Hessian.
# * Quasi-Newton (BFGS, L-BFGS) and CG sit in between: curvature information from gradients
#   only. In deep learning, with stochastic gradients and millions of parameters,
#   first-order methods with momentum and adaptive steps (Adam and friends) dominate.
