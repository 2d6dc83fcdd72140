# task: momentum
# Writes both rules in torch's convention (as EECS 498's starter did): the stored "velocity" is
# torch's buffer b = mu * b + dw and w -= lr * b. The trajectory from a fresh start is the same,
# but a velocity given in config (API.md's v = -lr * b) is read wrongly.
# hint: velocity_torch_buffer
def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v + dw
    config["velocity"] = v
    return w - config["learning_rate"] * v, config


def nesterov_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v + dw
    config["velocity"] = v
    return w - config["learning_rate"] * (dw + config["momentum"] * v), config
