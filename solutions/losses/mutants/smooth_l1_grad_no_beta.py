# task: smooth_l1
# Quadratic-branch gradient forgets to divide by beta (d instead of d / beta).
# hint: smooth_l1_gradient_without_beta
def smooth_l1_loss(pred, target, beta=1.0):
    diff = pred - target
    absdiff = np.abs(diff)
    small = absdiff < beta
    elementwise = np.where(small, 0.5 * diff ** 2 / beta, absdiff - 0.5 * beta)
    dpred = np.where(small, diff, np.sign(diff)) / diff.size
    return np.mean(elementwise), dpred
