# task: line_search
# Shrinks before the first test, so alpha0 itself is never tried.
# hint: line_search_alpha0_not_tried
def backtracking_line_search(f, grad, x, p, alpha0=1.0, c=1e-4, rho=0.5):
    fx, slope = f(x), float(np.dot(grad(x), p))
    alpha = alpha0
    for _ in range(200):
        alpha *= rho
        if f(x + alpha * p) <= fx + c * alpha * slope:
            break
    return float(alpha)
