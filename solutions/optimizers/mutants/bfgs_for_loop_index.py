# task: bfgs
# A for loop whose index is returned as n_iter: max_iter - 1 when max_iter steps are taken.
# hint: n_iter_last_loop_index
def bfgs_minimize(f, grad, x0, tol=1e-6, max_iter=500):
    x = np.array(x0, dtype=np.float64)
    I = np.eye(len(x))
    H = I.copy()
    g = grad(x)
    k = 0
    for k in range(max_iter):
        if np.linalg.norm(g) < tol:
            break
        p = -H @ g
        s = backtracking_line_search(f, grad, x, p) * p
        x = x + s
        g_new = grad(x)
        y = g_new - g
        if s @ y > 1e-10:
            r = 1.0 / (s @ y)
            H = (I - r * np.outer(s, y)) @ H @ (I - r * np.outer(y, s)) + r * np.outer(s, s)
        g = g_new
    return x, k
