# task: init
# xavier_normal draws from a uniform distribution (right variance, wrong distribution).
# hint: init_uniform_not_normal
def xavier_normal(fan_in, fan_out, rng):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))
