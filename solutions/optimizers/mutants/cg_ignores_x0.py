# task: cg
# Always starts from zeros, ignoring the x0 argument.
# hint: cg_ignores_x0
def conjugate_gradient(A, b, x0=None, tol=1e-10, max_iter=None):
    n = len(b)
    max_iter = 10 * n if max_iter is None else max_iter
    x = np.zeros(n)
    r = b - A @ x
    p = r.copy()
    rs = r @ r
    n_iter = 0
    while n_iter < max_iter and np.sqrt(rs) > tol * np.linalg.norm(b):
        Ap = A @ p
        alpha = rs / (p @ Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        rs_new = r @ r
        p = r + (rs_new / rs) * p
        rs = rs_new
        n_iter += 1
    return x, n_iter
