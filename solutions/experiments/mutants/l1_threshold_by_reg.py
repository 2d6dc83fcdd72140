# task: l1_vs_l2
# Soft-thresholds by reg instead of lr * reg (the proximal step of lr * reg * |w|).
# hint: l1_threshold_by_reg
def l1_vs_l2(X, y, reg, steps=500, lr=0.1):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape
    w_l1, w_l2 = np.zeros(d), np.zeros(d)
    for _ in range(steps):
        z = w_l1 - lr * X.T @ (_sigmoid(X @ w_l1) - y) / n
        w_l1 = np.sign(z) * np.maximum(np.abs(z) - reg, 0.0)
        w_l2 = w_l2 - lr * (X.T @ (_sigmoid(X @ w_l2) - y) / n + reg * w_l2)
    return w_l1, w_l2
