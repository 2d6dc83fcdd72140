# task: momentum
# Leaves the learning rate out of the velocity: v = mu * v - dw; w += v.
# hint: momentum_no_learning_rate
def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - dw
    config["velocity"] = v
    return w + v, config
