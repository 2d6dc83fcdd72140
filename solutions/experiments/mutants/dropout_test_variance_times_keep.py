# task: dropout_variance
# Mixes the conventions: inverted dropout's training variance, but plain dropout's test mode, which multiplies
# the unit by (1 - p): test_var = (1 - p)**2 * var.
# hint: dropout_test_variance_times_keep
def dropout_variance(mean, var, p):
    keep = 1.0 - p
    train_var = (var + mean**2) / keep - mean**2
    return float(train_var), float(keep**2 * var)
