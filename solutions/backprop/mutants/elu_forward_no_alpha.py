# task: elu
# Forgets alpha in the forward pass: exp(x) - 1 for x <= 0.
# hint: elu_forward_ignores_alpha
def elu_forward(x, alpha=1.0):
    out = np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
    return out, (x, alpha * out, alpha)
