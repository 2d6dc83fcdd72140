# task: lbfgs
# Stores every pair with s @ y > 0 and clears the memory only when s @ y <= 0 (API.md: the
# threshold is 1e-10), so the tiny pairs near a minimiser are kept.
# hint: lbfgs_stored_small_pair
def lbfgs_minimize(f, grad, x0, m=10, tol=1e-6, max_iter=500):
    x = np.array(x0, dtype=np.float64)
    g = grad(x)
    s_list, y_list = [], []
    n_iter = 0
    while n_iter < max_iter and np.linalg.norm(g) >= tol:
        p = lbfgs_direction(g, s_list, y_list)
        s = backtracking_line_search(f, grad, x, p) * p
        x = x + s
        g_new = grad(x)
        y = g_new - g
        if s @ y > 0:
            s_list, y_list = (s_list + [s])[-m:], (y_list + [y])[-m:]
        else:
            s_list, y_list = [], []
        g = g_new
        n_iter += 1
    return x, n_iter
