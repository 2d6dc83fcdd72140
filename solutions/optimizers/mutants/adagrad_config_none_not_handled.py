# task: adagrad_adadelta
# Forgets `if config is None: config = {}`: config=None raises AttributeError on setdefault.
def adagrad(w, dw, config=None):
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-10)
    cache = config.get("cache", np.zeros_like(w)) + dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
