# task: newton
# Returns the loop index of `for k in range(max_iter)` as n_iter: right when the loop breaks on
# the tolerance, one short when all max_iter steps are taken.
# hint: n_iter_last_loop_index
def newton_minimize(f, grad, hess, x0, tol=1e-8, max_iter=100):
    x = np.array(x0, dtype=np.float64)
    k = 0
    for k in range(max_iter):
        g = grad(x)
        if np.linalg.norm(g) < tol:
            break
        x = newton_step(x, g, hess(x))
    return x, k
