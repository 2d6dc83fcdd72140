# task: cg
# Defaults max_iter to n ("CG converges in n steps") instead of 10 * n: in floating point
# an ill-conditioned system needs more.
# hint: cg_max_iter_n
def conjugate_gradient(A, b, x0=None, tol=1e-10, max_iter=None):
    n = len(b)
    max_iter = n if max_iter is None else max_iter
    x = np.zeros(n) if x0 is None else np.array(x0, dtype=np.float64)
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
