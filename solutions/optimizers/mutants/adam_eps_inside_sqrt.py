# task: adam
# Adds epsilon under the square root of v_hat: sqrt(v_hat + eps) instead of sqrt(v_hat) + eps.
# hint: eps_inside_sqrt
def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    b1, b2 = config["beta1"], config["beta2"]
    t = config.get("t", 0) + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    config["m"], config["v"], config["t"] = m, v, t
    return w - config["learning_rate"] * m_hat / np.sqrt(v_hat + config["epsilon"]), config
