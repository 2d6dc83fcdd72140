# task: init
# Ignores the rng argument and draws from np.random's global state.
def kaiming_normal(fan_in, fan_out, rng):
    return np.random.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
