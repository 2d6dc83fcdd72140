# task: init_depth
# Writes each initialiser as a variance and draws with its square root, but puts 0.01 down as the variance of
# "normal_0.01" (it is the std, N(0, 0.01**2)): those weights come out with std 0.1, ten times too large.
# hint: small_init_std_as_variance
def activation_std_by_layer(init, activation, depth=10, width=256, n=1000, seed=0):
    rng = np.random.default_rng(seed)
    act = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0)}[activation]
    variance = {"zeros": 0.0, "normal_0.01": 0.01, "xavier": 2.0 / (width + width), "kaiming": 2.0 / width}[init]
    h = rng.standard_normal((n, width))
    stds = np.empty(depth)
    for layer in range(depth):
        h = act(h @ rng.normal(0.0, np.sqrt(variance), size=(width, width)))
        stds[layer] = h.std()
    return stds
