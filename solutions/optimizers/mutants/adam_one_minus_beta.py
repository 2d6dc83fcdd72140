# task: adam
# Bias correction with (1 - beta) instead of (1 - beta**t).
# hint: adam_one_minus_beta
# hint: adam_bias_correction_of_step_1
def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    b1, b2 = config["beta1"], config["beta2"]
    config["t"] += 1
    config["m"] = b1 * config["m"] + (1 - b1) * dw
    config["v"] = b2 * config["v"] + (1 - b2) * dw**2
    mt = config["m"] / (1 - b1)
    vt = config["v"] / (1 - b2)
    return w - config["learning_rate"] * mt / (np.sqrt(vt) + config["epsilon"]), config
