# task: lbfgs
# Returns r = H g from the two-loop recursion, forgetting the minus sign of the direction.
# hint: lbfgs_direction_sign
def lbfgs_direction(g, s_list, y_list):
    q = np.array(g, dtype=np.float64)
    k = len(s_list)
    alphas = [0.0] * k
    for i in reversed(range(k)):
        alphas[i] = (s_list[i] @ q) / (y_list[i] @ s_list[i])
        q = q - alphas[i] * y_list[i]
    r = q * (s_list[-1] @ y_list[-1]) / (y_list[-1] @ y_list[-1]) if k else q
    for i in range(k):
        beta = (y_list[i] @ r) / (y_list[i] @ s_list[i])
        r = r + (alphas[i] - beta) * s_list[i]
    return r
