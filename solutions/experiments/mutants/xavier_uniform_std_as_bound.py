# task: init_depth
# Draws Xavier weights uniformly on [-a, a] with a = sqrt(2 / (fan_in + fan_out)), the normal's std: a uniform
# with bound a has variance a**2 / 3, three times too small (Xavier uniform's bound is sqrt(6 / (fan_in + fan_out))).
# hint: xavier_uniform_std_as_bound
def activation_std_by_layer(init, activation, depth=10, width=256, n=1000, seed=0):
    rng = np.random.default_rng(seed)
    act = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0)}[activation]
    h = rng.standard_normal((n, width))
    stds = np.empty(depth)
    for layer in range(depth):
        if init == "xavier":
            bound = np.sqrt(2.0 / (width + width))
            W = rng.uniform(-bound, bound, size=(width, width))
        else:
            W = _init_weight(init, width, width, rng)
        h = act(h @ W)
        stds[layer] = h.std()
    return stds
