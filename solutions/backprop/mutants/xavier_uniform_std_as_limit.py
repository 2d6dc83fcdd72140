# task: init
# Uses the Xavier std sqrt(2/(fan_in+fan_out)) as the uniform bound (variance 3x too small).
# hint: xavier_std_as_uniform_bound
def xavier_uniform(fan_in, fan_out, rng):
    limit = np.sqrt(2.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))
