# task: cg
# Forgets the conjugation: p = r at every iteration (steepest descent with exact steps).
def conjugate_gradient(A, b, x0=None, tol=1e-10, max_iter=None):
    n = len(b)
    max_iter = 10 * n if max_iter is None else max_iter
    x = np.zeros(n) if x0 is None else np.array(x0, dtype=np.float64)
    r = b - A @ x
    n_iter = 0
    while n_iter < max_iter and np.linalg.norm(r) > tol * np.linalg.norm(b):
        Ar = A @ r
        alpha = (r @ r) / (r @ Ar)
        x = x + alpha * r
        r = r - alpha * Ar
        n_iter += 1
    return x, n_iter
