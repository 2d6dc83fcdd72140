# task: adam
# Forgets the bias correction of m and v (the CS231n "incomplete Adam").
# hint: adam_no_bias_correction
def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    m = config["beta1"] * config.get("m", np.zeros_like(w)) + (1 - config["beta1"]) * dw
    v = config["beta2"] * config.get("v", np.zeros_like(w)) + (1 - config["beta2"]) * dw**2
    config["m"], config["v"], config["t"] = m, v, config.get("t", 0) + 1
    return w - config["learning_rate"] * m / (np.sqrt(v) + config["epsilon"]), config
