# task: logreg
# Loss from log(clip(sigmoid(z), 1e-15, 1 - 1e-15)): caps each sample's loss near 34.5 at large |z|.
# hint: logreg_clipped_log
def logistic_regression_loss(w, b, X, y, reg=0.0):
    N = X.shape[0]
    z = X @ w + b
    s = np.clip(sigmoid(z), 1e-15, 1 - 1e-15)
    loss = -np.mean(y * np.log(s) + (1 - y) * np.log(1 - s)) + 0.5 * reg * np.sum(w ** 2)
    dz = (sigmoid(z) - y) / N
    return loss, X.T @ dz + reg * w, np.sum(dz)
