# task: adagrad_adadelta
# The Adadelta paper's rule, which has no learning rate: w -= delta (torch's multiplies by lr).
# hint: adadelta_no_learning_rate
def adadelta(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("rho", 0.9)
    config.setdefault("epsilon", 1e-6)
    rho, eps = config["rho"], config["epsilon"]
    square_avg = rho * config.get("square_avg", np.zeros_like(w)) + (1 - rho) * dw**2
    acc_delta = config.get("acc_delta", np.zeros_like(w))
    delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * dw
    config["square_avg"] = square_avg
    config["acc_delta"] = rho * acc_delta + (1 - rho) * delta**2
    return w - delta, config
