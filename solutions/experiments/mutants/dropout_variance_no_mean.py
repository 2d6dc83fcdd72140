# task: dropout_variance
# Forgets the mean's contribution: train_var = var / (1 - p) (right only for a zero-mean unit).
# hint: dropout_variance_without_mean
def dropout_variance(mean, var, p):
    return float(var / (1.0 - p)), float(var)
