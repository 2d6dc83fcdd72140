# task: l1_mse
# MSE gradient divided by len(pred) (the first axis) instead of the number of elements (loss is right).
# hint: mse_gradient_divided_by_first_axis
def mse_loss(pred, target):
    d = np.asarray(pred, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    return float(np.mean(d ** 2)), 2.0 * d / len(d)
