# task: lbfgs
# lbfgs_minimize with y = g_old - g_new: every pair fails the curvature test, the memory is
# always empty and the method is steepest descent.
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
        y = g - g_new
        if s @ y > 1e-10:
            s_list, y_list = (s_list + [s])[-m:], (y_list + [y])[-m:]
        else:
            s_list, y_list = [], []
        g = g_new
        n_iter += 1
    return x, n_iter
