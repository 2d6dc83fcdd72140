# task: l1_vs_l2
# Differentiates the L2 penalty as if it were reg * sum(w ** 2): the step uses 2 * reg * w, but the penalty is
# 0.5 * reg * sum(w ** 2), whose gradient is reg * w.
# hint: l2_gradient_doubled
def l1_vs_l2(X, y, reg, steps=500, lr=0.1):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape
    w_l1, w_l2 = np.zeros(d), np.zeros(d)
    for _ in range(steps):
        z = w_l1 - lr * X.T @ (_sigmoid(X @ w_l1) - y) / n
        w_l1 = np.sign(z) * np.maximum(np.abs(z) - lr * reg, 0.0)
        w_l2 = w_l2 - lr * (X.T @ (_sigmoid(X @ w_l2) - y) / n + 2.0 * reg * w_l2)
    return w_l1, w_l2
