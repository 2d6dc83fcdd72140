# task: lbfgs
# Reads the lists as newest pair first (s_list[0] newest), as code that prepends pairs does.
# hint: lbfgs_lists_newest_first
def lbfgs_direction(g, s_list, y_list):
    q = np.array(g, dtype=np.float64)
    k = len(s_list)
    alphas = [0.0] * k
    for i in range(k):  # "newest to oldest"
        alphas[i] = (s_list[i] @ q) / (y_list[i] @ s_list[i])
        q = q - alphas[i] * y_list[i]
    r = q * (s_list[0] @ y_list[0]) / (y_list[0] @ y_list[0]) if k else q
    for i in reversed(range(k)):  # "oldest to newest"
        beta = (y_list[i] @ r) / (y_list[i] @ s_list[i])
        r = r + (alphas[i] - beta) * s_list[i]
    return -r
