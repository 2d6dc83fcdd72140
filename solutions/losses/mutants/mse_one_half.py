# task: l1_mse
# The 1/2 convention of some textbooks: loss 0.5 * mean(d**2), gradient d / n (consistent with that loss).
# hint: mse_with_one_half
def mse_loss(pred, target):
    diff = pred - target
    return 0.5 * np.mean(diff ** 2), diff / diff.size
