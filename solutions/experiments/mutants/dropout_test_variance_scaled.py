# task: dropout_variance
# Applies the 1 / (1 - p) scale in test mode too: test_var = var / (1 - p) (inverted dropout is the identity at test time).
# hint: dropout_test_variance_scaled
def dropout_variance(mean, var, p):
    keep = 1.0 - p
    train_var = (var + mean**2) / keep - mean**2
    return float(train_var), float(var / keep)
