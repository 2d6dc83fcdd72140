# task: line_search
# Armijo condition without the alpha factor: f(x + a p) <= f(x) + c * grad(x) @ p.
# hint: line_search_missing_alpha
def backtracking_line_search(f, grad, x, p, alpha0=1.0, c=1e-4, rho=0.5):
    fx, slope = f(x), float(np.dot(grad(x), p))
    alpha = alpha0
    for _ in range(200):
        if f(x + alpha * p) <= fx + c * slope:
            break
        alpha *= rho
    return float(alpha)
