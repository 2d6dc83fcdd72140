# task: bfgs
# Keeps only the last term of the inverse update, H += rho s s^T: no curvature correction.
def bfgs_minimize(f, grad, x0, tol=1e-6, max_iter=500):
    x = np.array(x0, dtype=np.float64)
    H = np.eye(len(x))
    g = grad(x)
    n_iter = 0
    while n_iter < max_iter and np.linalg.norm(g) >= tol:
        p = -H @ g
        s = backtracking_line_search(f, grad, x, p) * p
        x = x + s
        g_new = grad(x)
        y = g_new - g
        if s @ y > 1e-10:
            H = H + np.outer(s, s) / (s @ y)
        g = g_new
        n_iter += 1
    return x, n_iter
