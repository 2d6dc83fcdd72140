# task: gradient_flow
# claim: relu_and_residuals_keep_gradients
# Builds the residual forward pass but backpropagates only through act(h @ W), dropping the
# identity path's gradient: the skip connection no longer protects the early layers.
def gradient_norm_by_layer(activation, depth=20, width=64, residual=False, seed=0):
    rng = np.random.default_rng(seed)
    act, act_grad = {
        "sigmoid": (_sigmoid, lambda out: out * (1.0 - out)),
        "tanh": (np.tanh, lambda out: 1.0 - out**2),
        "relu": (lambda z: np.maximum(z, 0.0), lambda out: (out > 0).astype(np.float64)),
    }[activation]
    init = "kaiming" if activation == "relu" else "xavier"
    h = rng.standard_normal((128, width))
    weights, inputs, outputs = [], [], []
    for _ in range(depth):
        W = _init_weight(init, width, width, rng)
        a = act(h @ W)
        weights.append(W)
        inputs.append(h)
        outputs.append(a)
        h = h + a if residual else a
    dh = h / h.size
    norms = np.empty(depth)
    for layer in reversed(range(depth)):
        dz = dh * act_grad(outputs[layer])
        norms[layer] = np.linalg.norm(inputs[layer].T @ dz)
        dh = dz @ weights[layer].T
    return norms
