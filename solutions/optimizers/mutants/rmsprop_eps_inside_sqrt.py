# task: rmsprop
# Puts epsilon inside the square root: sqrt(cache + eps) instead of sqrt(cache) + eps.
# hint: eps_inside_sqrt
def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    beta = config["decay_rate"]
    config["cache"] = beta * config.get("cache", np.zeros_like(w)) + (1 - beta) * dw**2
    return w - config["learning_rate"] * dw / np.sqrt(config["cache"] + config["epsilon"]), config
