# task: newton
# Takes tol relative to the starting gradient: stops when norm(grad(x)) < tol * max(1, norm(grad(x0))).
def newton_minimize(f, grad, hess, x0, tol=1e-8, max_iter=100):
    x = np.array(x0, dtype=np.float64, copy=True)
    threshold = tol * max(1.0, float(np.linalg.norm(grad(x))))
    n_iter = 0
    while n_iter < max_iter:
        g = grad(x)
        if np.linalg.norm(g) < threshold:
            break
        x = newton_step(x, g, hess(x))
        n_iter += 1
    return x, n_iter
