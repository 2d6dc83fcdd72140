# task: bfgs
# Loops `while norm(g) > tol`: stops also when norm(grad(x)) == tol (API.md: < tol).
# hint: stops_at_equal_tol
def bfgs_minimize(f, grad, x0, tol=1e-6, max_iter=500):
    x = np.array(x0, dtype=np.float64)
    I = np.eye(len(x))
    H = I.copy()
    g = grad(x)
    n_iter = 0
    while np.linalg.norm(g) > tol and n_iter < max_iter:
        p = -H @ g
        s = backtracking_line_search(f, grad, x, p) * p
        x = x + s
        g_new = grad(x)
        y = g_new - g
        if s @ y > 1e-10:
            r = 1.0 / (s @ y)
            H = (I - r * np.outer(s, y)) @ H @ (I - r * np.outer(y, s)) + r * np.outer(s, s)
        g = g_new
        n_iter += 1
    return x, n_iter
