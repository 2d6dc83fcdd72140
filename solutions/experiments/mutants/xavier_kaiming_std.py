# task: init_depth
# Draws its own weights (not with _init_weight) and gives Xavier Kaiming's std sqrt(2 / fan_in) instead of
# sqrt(2 / (fan_in + fan_out)): with fan_in = fan_out, twice the variance.
# hint: xavier_kaiming_std
def activation_std_by_layer(init, activation, depth=10, width=256, n=1000, seed=0):
    rng = np.random.default_rng(seed)
    act = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0)}[activation]
    std = {"zeros": 0.0, "normal_0.01": 0.01, "xavier": np.sqrt(2.0 / width), "kaiming": np.sqrt(2.0 / width)}[init]
    h = rng.standard_normal((n, width))
    stds = np.empty(depth)
    for layer in range(depth):
        h = act(h @ (std * rng.standard_normal((width, width))))
        stds[layer] = h.std()
    return stds
