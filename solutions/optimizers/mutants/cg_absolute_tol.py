# task: cg
# Stops when norm(r) <= tol (absolute) instead of norm(r) <= tol * norm(b): inaccurate for a
# small b, never satisfied (runs to max_iter) for a large one.
# hint: cg_absolute_tol
def conjugate_gradient(A, b, x0=None, tol=1e-10, max_iter=None):
    n = b.shape[0]
    if max_iter is None:
        max_iter = 10 * n
    x = np.zeros(n) if x0 is None else np.array(x0, dtype=np.float64, copy=True)
    r = b - A @ x
    p = r.copy()
    rs = r @ r
    n_iter = 0
    while n_iter < max_iter and np.sqrt(rs) > tol:
        Ap = A @ p
        alpha = rs / (p @ Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        rs_new = r @ r
        p = r + (rs_new / rs) * p
        rs = rs_new
        n_iter += 1
    return x, n_iter
