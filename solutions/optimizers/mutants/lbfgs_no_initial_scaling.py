# task: lbfgs
# Uses H0 = I in the two-loop recursion (no gamma = s @ y / y @ y scaling).
# hint: lbfgs_no_initial_scaling
def lbfgs_direction(g, s_list, y_list):
    q = np.array(g, dtype=np.float64)
    k = len(s_list)
    alphas = [0.0] * k
    for i in reversed(range(k)):
        alphas[i] = (s_list[i] @ q) / (y_list[i] @ s_list[i])
        q = q - alphas[i] * y_list[i]
    r = q
    for i in range(k):
        beta = (y_list[i] @ r) / (y_list[i] @ s_list[i])
        r = r + (alphas[i] - beta) * s_list[i]
    return -r
