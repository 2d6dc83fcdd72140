# task: l1_vs_l2
# claim: l1_zeroes_uninformative_weights
# L1 by subgradient descent (w -= lr * (grad + reg * sign(w))) instead of soft-thresholding:
# the weights oscillate around 0 and are never exactly 0.
# hint: l1_subgradient
def l1_vs_l2(X, y, reg, steps=500, lr=0.1):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape
    w_l1, w_l2 = np.zeros(d), np.zeros(d)
    for _ in range(steps):
        w_l1 = w_l1 - lr * (X.T @ (_sigmoid(X @ w_l1) - y) / n + reg * np.sign(w_l1))
        w_l2 = w_l2 - lr * (X.T @ (_sigmoid(X @ w_l2) - y) / n + reg * w_l2)
    return w_l1, w_l2
