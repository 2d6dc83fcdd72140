# task: nadam
# Uses the current mu_t where the look-ahead mu_{t+1} belongs (second term), i.e. Nesterov's
# look-ahead is lost.
# hint: nadam_mu_t_for_mu_next
def nadam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 2e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("momentum_decay", 4e-3)
    lr, b1, b2, psi = config["learning_rate"], config["beta1"], config["beta2"], config["momentum_decay"]
    t = config.get("t", 0) + 1
    mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
    mu_product = config.get("mu_product", 1.0) * mu
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    denom = np.sqrt(v / (1 - b2**t)) + config["epsilon"]
    next_w = w - lr * (1 - mu) / (1 - mu_product) * dw / denom - lr * mu / (1 - mu_product * mu) * m / denom
    config["m"], config["v"], config["t"], config["mu_product"] = m, v, t, mu_product
    return next_w, config
