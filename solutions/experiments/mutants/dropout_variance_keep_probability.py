# task: dropout_variance
# Takes p for the keep probability (CS231n's convention) in the closed form: train_var = (var + mean**2) / p - mean**2.
# hint: dropout_variance_keep_probability
def dropout_variance(mean, var, p):
    keep = p
    train_var = (var + mean**2) / keep - mean**2
    return float(train_var), float(var)
