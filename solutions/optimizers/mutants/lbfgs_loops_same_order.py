# task: lbfgs
# Runs both loops of the two-loop recursion from the newest pair to the oldest.
# hint: lbfgs_loops_same_order
def lbfgs_direction(g, s_list, y_list):
    q = np.array(g, dtype=np.float64)
    k = len(s_list)
    alphas = [0.0] * k
    rhos = [1.0 / (y_list[i] @ s_list[i]) for i in range(k)]
    for i in reversed(range(k)):
        alphas[i] = rhos[i] * (s_list[i] @ q)
        q = q - alphas[i] * y_list[i]
    gamma = (s_list[-1] @ y_list[-1]) / (y_list[-1] @ y_list[-1]) if k else 1.0
    r = gamma * q
    for i in reversed(range(k)):
        r = r + (alphas[i] - rhos[i] * (y_list[i] @ r)) * s_list[i]
    return -r
