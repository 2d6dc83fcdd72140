# task: cg
# Breaks out of the loop only when norm(r) < tol * norm(b) (API.md: <=): at an exact tie it
# takes another step, and for b = 0 it divides 0 by 0.
# hint: cg_strict_stopping_rule
def conjugate_gradient(A, b, x0=None, tol=1e-10, max_iter=None):
    n = len(b)
    max_iter = 10 * n if max_iter is None else max_iter
    x = np.zeros(n) if x0 is None else np.array(x0, dtype=np.float64)
    r = b - A @ x
    p = r.copy()
    rs = r @ r
    bnorm = np.linalg.norm(b)
    n_iter = 0
    for _ in range(max_iter):
        if np.sqrt(rs) < tol * bnorm:
            break
        Ap = A @ p
        alpha = rs / (p @ Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        rs_new = r @ r
        p = r + (rs_new / rs) * p
        rs = rs_new
        n_iter += 1
    return x, n_iter
