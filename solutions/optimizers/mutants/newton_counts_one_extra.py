# task: newton
# Returns the loop index plus one when the tolerance is met (`return x, k + 1`), so n_iter is one
# too large whenever the method converges (1 when x0 already meets tol).
# hint: n_iter_one_too_large
def newton_minimize(f, grad, hess, x0, tol=1e-8, max_iter=100):
    x = np.array(x0, dtype=np.float64)
    for k in range(max_iter):
        g = grad(x)
        if np.linalg.norm(g) < tol:
            return x, k + 1
        x = newton_step(x, g, hess(x))
    return x, max_iter
