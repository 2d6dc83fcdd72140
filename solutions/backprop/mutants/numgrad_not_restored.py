# task: numeric_gradient
# Adds h, subtracts 2h, adds h back: in floating point the entry is not restored exactly.
def numeric_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    flat = x.reshape(-1)
    for i in range(flat.size):
        flat[i] += h
        fp = float(f(x))
        flat[i] -= 2 * h
        fm = float(f(x))
        flat[i] += h
        grad.reshape(-1)[i] = (fp - fm) / (2 * h)
    return grad
