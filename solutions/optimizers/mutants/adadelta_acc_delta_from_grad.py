# task: adagrad_adadelta
# Accumulates the squared GRADIENT into acc_delta instead of the squared update delta.
# hint: adadelta_acc_delta_from_grad
def adadelta(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1.0)
    config.setdefault("rho", 0.9)
    config.setdefault("epsilon", 1e-6)
    rho, eps = config["rho"], config["epsilon"]
    square_avg = rho * config.get("square_avg", np.zeros_like(w)) + (1 - rho) * dw**2
    acc_delta = config.get("acc_delta", np.zeros_like(w))
    delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * dw
    acc_delta = rho * acc_delta + (1 - rho) * dw**2
    config["square_avg"], config["acc_delta"] = square_avg, acc_delta
    return w - config["learning_rate"] * delta, config
