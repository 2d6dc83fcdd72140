# task: newton
# Loops `while norm(g) > tol`, so it also stops when norm(grad(x)) == tol (API.md: < tol).
# hint: stops_at_equal_tol
def newton_minimize(f, grad, hess, x0, tol=1e-8, max_iter=100):
    x = np.array(x0, dtype=np.float64)
    g = grad(x)
    n_iter = 0
    while np.linalg.norm(g) > tol and n_iter < max_iter:
        x = newton_step(x, g, hess(x))
        g = grad(x)
        n_iter += 1
    return x, n_iter
