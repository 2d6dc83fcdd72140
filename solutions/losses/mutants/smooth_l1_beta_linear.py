# task: smooth_l1
# Linear branch hard-codes beta = 1: |d| - 0.5 instead of |d| - 0.5 * beta.
# hint: smooth_l1_linear_branch_without_beta
def smooth_l1_loss(pred, target, beta=1.0):
    diff = pred - target
    absdiff = np.abs(diff)
    small = absdiff < beta
    elementwise = np.where(small, 0.5 * diff ** 2 / beta, absdiff - 0.5)
    dpred = np.where(small, diff / beta, np.sign(diff)) / diff.size
    return np.mean(elementwise), dpred
