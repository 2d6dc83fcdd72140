# task: init_depth
# claim: xavier_tanh_and_kaiming_relu_stay_in_a_band
# Kaiming with Xavier's fan: std sqrt(2 / (fan_in + fan_out)) instead of sqrt(2 / fan_in),
# so each ReLU layer halves the variance.
# hint: kaiming_xavier_std
def _init_weight(init, fan_in, fan_out, rng):
    if init == "zeros":
        return np.zeros((fan_in, fan_out))
    std = {"normal_0.01": 0.01, "xavier": np.sqrt(2.0 / (fan_in + fan_out)), "kaiming": np.sqrt(2.0 / (fan_in + fan_out))}[init]
    return rng.normal(0.0, std, size=(fan_in, fan_out))
