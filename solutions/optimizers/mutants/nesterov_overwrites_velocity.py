# task: momentum
# CS231n's Nesterov form w += -mu * v_prev + (1 + mu) * v, but v_prev is read after v was
# overwritten, so the update collapses to classical momentum (w += v).
# hint: nesterov_as_momentum
def nesterov_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    mu = config["momentum"]
    config["velocity"] = mu * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
    v_prev = config["velocity"]
    next_w = w - mu * v_prev + (1 + mu) * config["velocity"]
    return next_w, config
