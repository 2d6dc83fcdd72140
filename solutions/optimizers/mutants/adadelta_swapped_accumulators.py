# task: adagrad_adadelta
# Mixes up the two accumulators: delta = sqrt(square_avg + eps) / sqrt(acc_delta + eps) * dw.
# hint: adadelta_swapped_accumulators
def adadelta(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1.0)
    config.setdefault("rho", 0.9)
    config.setdefault("epsilon", 1e-6)
    rho, eps = config["rho"], config["epsilon"]
    square_avg = rho * config.get("square_avg", np.zeros_like(w)) + (1 - rho) * dw**2
    acc_delta = config.get("acc_delta", np.zeros_like(w))
    delta = np.sqrt(square_avg + eps) / np.sqrt(acc_delta + eps) * dw
    config["square_avg"] = square_avg
    config["acc_delta"] = rho * acc_delta + (1 - rho) * delta**2
    return w - config["learning_rate"] * delta, config
