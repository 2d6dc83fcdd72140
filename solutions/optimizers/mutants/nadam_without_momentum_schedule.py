# task: nadam
# The simplified NAdam of Dozat's paper and many blog posts: a constant beta1 instead of torch's
# momentum schedule, w -= lr * (beta1 * m_hat_next + (1 - beta1) * dw / (1 - beta1**t)) / denom.
# hint: nadam_without_momentum_schedule
def nadam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 2e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("momentum_decay", 4e-3)
    b1, b2 = config["beta1"], config["beta2"]
    t = config.get("t", 0) + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    m_bar = b1 * m / (1 - b1 ** (t + 1)) + (1 - b1) * dw / (1 - b1**t)
    config["m"], config["v"], config["t"] = m, v, t
    return w - config["learning_rate"] * m_bar / (np.sqrt(v / (1 - b2**t)) + config["epsilon"]), config
