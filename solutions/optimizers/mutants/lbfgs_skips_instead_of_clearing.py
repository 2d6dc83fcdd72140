# task: lbfgs
# A pair with s @ y <= 1e-10 is dropped but the memory is kept (API.md: it clears the memory).
# hint: lbfgs_kept_memory
def lbfgs_minimize(f, grad, x0, m=10, tol=1e-6, max_iter=500):
    x = np.array(x0, dtype=np.float64, copy=True)
    g = np.asarray(grad(x), dtype=np.float64)
    s_list, y_list = [], []
    n_iter = 0
    while n_iter < max_iter and np.linalg.norm(g) >= tol:
        p = lbfgs_direction(g, s_list, y_list)
        s = backtracking_line_search(f, grad, x, p) * p
        x = x + s
        g_new = np.asarray(grad(x), dtype=np.float64)
        y = g_new - g
        if s @ y > 1e-10:
            s_list.append(s)
            y_list.append(y)
            if len(s_list) > m:
                s_list.pop(0)
                y_list.pop(0)
        g = g_new
        n_iter += 1
    return x, n_iter
