# task: rmsprop
# Swaps the weights of the moving average: (1 - decay) * cache + decay * dw**2.
# hint: rmsprop_swapped_decay
def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    beta = config["decay_rate"]
    cache = (1 - beta) * config.get("cache", np.zeros_like(w)) + beta * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
