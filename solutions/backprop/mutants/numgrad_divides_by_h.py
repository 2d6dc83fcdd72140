# task: numeric_gradient
# Central differences divided by h instead of 2h: every entry twice too large.
# hint: numgrad_divided_by_h
def numeric_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    flat = x.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = float(f(x))
        flat[i] = old - h
        fm = float(f(x))
        flat[i] = old
        grad.reshape(-1)[i] = (fp - fm) / h
    return grad
