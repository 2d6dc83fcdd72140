# task: newton
# A do-while loop: steps first and tests the gradient afterwards, so it takes a step even
# when x0 already meets tol (and never reports n_iter = 0).
# hint: newton_steps_before_testing
def newton_minimize(f, grad, hess, x0, tol=1e-8, max_iter=100):
    x = np.array(x0, dtype=np.float64)
    n_iter = 0
    while True:
        x = newton_step(x, grad(x), hess(x))
        n_iter += 1
        if np.linalg.norm(grad(x)) < tol or n_iter >= max_iter:
            return x, n_iter
