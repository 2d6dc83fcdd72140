# task: line_search
# Hard-codes the sufficient-decrease constant c = 1e-4 (ignores the argument c).
# hint: line_search_ignores_c
def backtracking_line_search(f, grad, x, p, alpha0=1.0, c=1e-4, rho=0.5):
    fx = f(x)
    slope = float(np.dot(grad(x), p))
    alpha = alpha0
    for _ in range(200):
        if f(x + alpha * p) <= fx + 1e-4 * alpha * slope:
            break
        alpha *= rho
    return float(alpha)
