# task: smooth_l1
# The Huber loss with delta = beta (0.5 d**2 inside, beta * (|d| - 0.5 beta) outside): beta times smooth L1.
# hint: smooth_l1_as_huber
def smooth_l1_loss(pred, target, beta=1.0):
    diff = pred - target
    absdiff = np.abs(diff)
    small = absdiff < beta
    loss = np.mean(np.where(small, 0.5 * diff ** 2, beta * (absdiff - 0.5 * beta)))
    return loss, np.where(small, diff, beta * np.sign(diff)) / diff.size
