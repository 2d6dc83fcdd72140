# task: cg
# Takes tol relative to the first residual, norm(r) <= tol * norm(r0) (a common textbook rule),
# instead of API.md's tol * norm(b): the same from x0 = 0, not from a given x0.
# hint: cg_tol_relative_to_r0
def conjugate_gradient(A, b, x0=None, tol=1e-10, max_iter=None):
    n = len(b)
    max_iter = 10 * n if max_iter is None else max_iter
    x = np.zeros(n) if x0 is None else np.array(x0, dtype=np.float64)
    r = b - A @ x
    p = r.copy()
    rs = r @ r
    threshold = tol * np.sqrt(rs)
    n_iter = 0
    while n_iter < max_iter and np.sqrt(rs) > threshold:
        Ap = A @ p
        alpha = rs / (p @ Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        rs_new = r @ r
        p = r + (rs_new / rs) * p
        rs = rs_new
        n_iter += 1
    return x, n_iter
