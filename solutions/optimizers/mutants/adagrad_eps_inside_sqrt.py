# task: adagrad_adadelta
# Puts epsilon inside the square root: sqrt(cache + eps) instead of sqrt(cache) + eps.
# Invisible for gradients of order 1, wrong for tiny gradients.
# hint: eps_inside_sqrt
def adagrad(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-10)
    cache = config.get("cache", np.zeros_like(w)) + dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / np.sqrt(cache + config["epsilon"]), config
