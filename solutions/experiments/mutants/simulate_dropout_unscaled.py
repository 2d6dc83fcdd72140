# task: dropout_variance
# Simulates plain (not inverted) dropout: kept units are not divided by (1 - p).
# hint: simulate_dropout_unscaled
def simulate_dropout_variance(mean, var, p, n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(mean, np.sqrt(var), size=n)
    mask = rng.random(n) >= p
    return float((x * mask).var()), float(x.var())
