# task: dropout_variance
# Simulates CS231n's dropout, where p is the probability of KEEPING a unit: mask = (rand < p) / p.
# hint: simulate_dropout_keep_probability
def simulate_dropout_variance(mean, var, p, n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(mean, np.sqrt(var), size=n)
    mask = (rng.random(n) < p) / p
    return float((x * mask).var()), float(x.var())
