# task: momentum
# Computes the velocity but never stores it back in config: every step restarts
# from zero velocity, so the rule degenerates into plain SGD.
# hint: velocity_not_stored
def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    return w + v, config
