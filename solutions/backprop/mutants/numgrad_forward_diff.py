# task: numeric_gradient
# One-sided (forward) difference (f(x+h) - f(x)) / h: error O(h) instead of O(h^2).
# hint: numgrad_forward_difference
def numeric_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    flat = x.reshape(-1)
    fx = float(f(x))
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = float(f(x))
        flat[i] = old
        grad.reshape(-1)[i] = (fp - fx) / h
    return grad
