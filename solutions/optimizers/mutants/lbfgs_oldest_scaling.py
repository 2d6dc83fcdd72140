# task: lbfgs
# Scales H0 with the OLDEST pair (s_list[0], y_list[0]) instead of the newest one.
# hint: lbfgs_h0_oldest_pair
def lbfgs_direction(g, s_list, y_list):
    q = np.array(g, dtype=np.float64)
    k = len(s_list)
    alphas = [0.0] * k
    rhos = [1.0 / (y_list[i] @ s_list[i]) for i in range(k)]
    for i in reversed(range(k)):
        alphas[i] = rhos[i] * (s_list[i] @ q)
        q = q - alphas[i] * y_list[i]
    gamma = (s_list[0] @ y_list[0]) / (y_list[0] @ y_list[0]) if k else 1.0
    r = gamma * q
    for i in range(k):
        r = r + (alphas[i] - rhos[i] * (y_list[i] @ r)) * s_list[i]
    return -r
