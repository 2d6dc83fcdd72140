# task: l1_mse
# MSE gradient forgets the factor 2 from d/dx x**2 (returns (pred - target) / n).
# hint: mse_gradient_without_factor_two
def mse_loss(pred, target):
    diff = pred - target
    return np.mean(diff ** 2), diff / diff.size
