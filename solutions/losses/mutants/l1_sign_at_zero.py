# task: l1_mse
# L1 gradient from a comparison: +1 where diff > 0, else -1, so pred == target gets -1 instead of 0.
# hint: l1_minus_one_where_equal
def l1_loss(pred, target):
    diff = pred - target
    return np.mean(np.abs(diff)), np.where(diff > 0, 1.0, -1.0) / diff.size
