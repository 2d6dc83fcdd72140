# task: bfgs
# On a pair with s @ y <= 1e-10 it resets H to the identity instead of keeping it
# (API.md: the update is skipped), so BFGS restarts from steepest descent.
# hint: bfgs_reset_on_skip
def bfgs_minimize(f, grad, x0, tol=1e-6, max_iter=500):
    x = np.array(x0, dtype=np.float64, copy=True)
    I = np.eye(x.shape[0])
    H = I.copy()
    g = np.asarray(grad(x), dtype=np.float64)
    n_iter = 0
    while n_iter < max_iter and np.linalg.norm(g) >= tol:
        p = -H @ g
        s = backtracking_line_search(f, grad, x, p) * p
        x = x + s
        g_new = np.asarray(grad(x), dtype=np.float64)
        y = g_new - g
        sy = s @ y
        if sy > 1e-10:
            r = 1.0 / sy
            H = (I - r * np.outer(s, y)) @ H @ (I - r * np.outer(y, s)) + r * np.outer(s, s)
        else:
            H = I.copy()
        g = g_new
        n_iter += 1
    return x, n_iter
