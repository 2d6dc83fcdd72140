# task: init
# xavier_uniform draws from a normal distribution with the Xavier std (right variance, wrong distribution).
# hint: init_normal_not_uniform
def xavier_uniform(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))
