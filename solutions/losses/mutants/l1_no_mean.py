# task: l1_mse
# L1 loss averaged over the batch axis only (sum over features), the gradient likewise.
# hint: l1_mean_over_first_axis_only
def l1_loss(pred, target):
    diff = pred - target
    n = diff.shape[0]
    return np.sum(np.abs(diff)) / n, np.sign(diff) / n
