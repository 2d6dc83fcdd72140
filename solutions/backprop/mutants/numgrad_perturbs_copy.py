# task: numeric_gradient
# Perturbs copies of x instead of x itself: right for f(x), but a closure `lambda _: loss()`
# that reads x never sees the perturbation (gradient 0).
# hint: numgrad_perturbs_a_copy
def numeric_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in range(x.size):
        plus, minus = x.copy(), x.copy()
        plus.flat[i] += h
        minus.flat[i] -= h
        grad.flat[i] = (float(f(plus)) - float(f(minus))) / (2 * h)
    return grad
