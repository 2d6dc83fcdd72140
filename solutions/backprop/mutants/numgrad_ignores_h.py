# task: numeric_gradient
# Hard-codes the step 1e-5 and ignores the h argument.
# hint: numgrad_ignores_h
def numeric_gradient(f, x, h=1e-5):
    step = 1e-5
    grad = np.zeros(x.shape)
    flat = x.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + step
        fp = float(f(x))
        flat[i] = old - step
        fm = float(f(x))
        flat[i] = old
        grad.reshape(-1)[i] = (fp - fm) / (2 * step)
    return grad
