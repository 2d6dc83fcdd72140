# task: adam
# The Adam paper's "efficient" form: lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t) and
# w -= lr_t * m / (sqrt(v) + eps). Epsilon then sits next to sqrt(v), not sqrt(v_hat) as in
# torch: the same for ordinary gradients, different where epsilon matters.
# hint: adam_paper_efficient_form
def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    b1, b2 = config["beta1"], config["beta2"]
    t = config["t"] + 1
    m = b1 * config["m"] + (1 - b1) * dw
    v = b2 * config["v"] + (1 - b2) * dw**2
    alpha = config["learning_rate"] * np.sqrt(1 - b2**t) / (1 - b1**t)
    config["t"], config["m"], config["v"] = t, m, v
    return w - alpha * m / (np.sqrt(v) + config["epsilon"]), config
