# task: sgd
# Hard-codes the default learning rate instead of reading config["learning_rate"].
# hint: learning_rate_ignored
def sgd(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    return w - 1e-2 * dw, config
