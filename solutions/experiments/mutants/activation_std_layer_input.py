# task: init_depth
# Records the std of each layer's input instead of its output (off by one layer: entry 0 is the
# std of the N(0, 1) inputs, and the last layer's output is never measured).
def activation_std_by_layer(init, activation, depth=10, width=256, n=1000, seed=0):
    rng = np.random.default_rng(seed)
    act = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0)}[activation]
    h = rng.standard_normal((n, width))
    stds = np.empty(depth)
    for layer in range(depth):
        stds[layer] = h.std()
        h = act(h @ _init_weight(init, width, width, rng))
    return stds
