"""Backpropagation by hand: layers, activations, dropout, initialisation, a two-layer net.

Every layer comes as a pair in the CS231n style:

    out, cache = layer_forward(x, ...)     # cache: whatever backward needs
    dx, ... = layer_backward(dout, cache)  # dout: upstream gradient dL/dout, shaped like out

``dx`` is always shaped like ``x``, ``dw`` like ``w``, and so on: the gradient of
a scalar loss with respect to an array has the array's shape.

Only NumPy is allowed (no torch, jax, tensorflow or autograd).
"""

import numpy as np


# --------------------------------------------------------------------------- affine


def affine_forward(x, w, b):
    """Affine (fully connected) layer forward pass: ``out = x_flat @ w + b``.

    Inputs:
    - x: array of shape (N, d1, ..., dk); each example is flattened to a row of
      length D = d1 * ... * dk.
    - w: weights, shape (D, M).
    - b: biases, shape (M,).

    Returns a tuple:
    - out: shape (N, M).
    - cache: whatever affine_backward needs (e.g. (x, w, b)).
    """
    # BEGIN SOLUTION
    x_flat = x.reshape(x.shape[0], -1)
    out = x_flat @ w + b
    cache = (x, w, b)
    return out, cache
    # END SOLUTION


def affine_backward(dout, cache):
    """Affine layer backward pass.

    Inputs:
    - dout: upstream gradient, shape (N, M).
    - cache: from affine_forward.

    Returns a tuple:
    - dx: shape (N, d1, ..., dk), the shape of x (not the flattened (N, D)).
    - dw: shape (D, M).
    - db: shape (M,).
    """
    # BEGIN SOLUTION
    x, w, b = cache
    x_flat = x.reshape(x.shape[0], -1)
    dx = (dout @ w.T).reshape(x.shape)
    dw = x_flat.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
    # END SOLUTION


# --------------------------------------------------------------------------- ReLU family


def relu_forward(x):
    """ReLU forward pass: ``out = max(0, x)`` elementwise.

    Inputs:
    - x: array of any shape.

    Returns a tuple:
    - out: same shape as x.
    - cache: whatever relu_backward needs.
    """
    # BEGIN SOLUTION
    out = np.maximum(x, 0)
    cache = x
    return out, cache
    # END SOLUTION


def relu_backward(dout, cache):
    """ReLU backward pass; the gradient at exactly 0 is taken as 0.

    Inputs:
    - dout: upstream gradient, same shape as x.
    - cache: from relu_forward.

    Returns:
    - dx: same shape as x.
    """
    # BEGIN SOLUTION
    x = cache
    dx = dout * (x > 0)
    return dx
    # END SOLUTION


def leaky_relu_forward(x, negative_slope=0.01):
    """Leaky ReLU forward pass: ``x`` where ``x > 0``, else ``negative_slope * x``.

    Matches ``torch.nn.functional.leaky_relu``.

    Inputs:
    - x: array of any shape.
    - negative_slope: slope for negative inputs (float).

    Returns a tuple:
    - out: same shape as x.
    - cache: whatever leaky_relu_backward needs.
    """
    # BEGIN SOLUTION
    out = np.where(x > 0, x, negative_slope * x)
    cache = (x, negative_slope)
    return out, cache
    # END SOLUTION


def leaky_relu_backward(dout, cache):
    """Leaky ReLU backward pass; the gradient at exactly 0 is ``negative_slope`` (as torch).

    Inputs:
    - dout: upstream gradient, same shape as x.
    - cache: from leaky_relu_forward.

    Returns:
    - dx: same shape as x.
    """
    # BEGIN SOLUTION
    x, negative_slope = cache
    dx = np.where(x > 0, dout, negative_slope * dout)
    return dx
    # END SOLUTION


# --------------------------------------------------------------------------- sigmoid, tanh


def sigmoid_forward(x):
    """Sigmoid forward pass: ``out = 1 / (1 + exp(-x))`` elementwise.

    Must be numerically stable: no overflow (and no overflow warnings) for
    ``|x|`` up to 1e3, giving exactly 0.0 / 1.0 where the true value rounds to them.

    Inputs:
    - x: array of any shape.

    Returns a tuple:
    - out: same shape as x, values in [0, 1].
    - cache: whatever sigmoid_backward needs.
    """
    # BEGIN SOLUTION
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    cache = out
    return out, cache
    # END SOLUTION


def sigmoid_backward(dout, cache):
    """Sigmoid backward pass: ``dx = dout * s * (1 - s)`` with ``s = sigmoid(x)``.

    Inputs:
    - dout: upstream gradient, same shape as x.
    - cache: from sigmoid_forward.

    Returns:
    - dx: same shape as x.
    """
    # BEGIN SOLUTION
    s = cache
    dx = dout * s * (1 - s)
    return dx
    # END SOLUTION


def tanh_forward(x):
    """Tanh forward pass.

    Inputs:
    - x: array of any shape.

    Returns a tuple:
    - out: same shape as x, values in [-1, 1].
    - cache: whatever tanh_backward needs.
    """
    # BEGIN SOLUTION
    out = np.tanh(x)
    cache = out
    return out, cache
    # END SOLUTION


def tanh_backward(dout, cache):
    """Tanh backward pass: ``dx = dout * (1 - tanh(x)**2)``.

    Inputs:
    - dout: upstream gradient, same shape as x.
    - cache: from tanh_forward.

    Returns:
    - dx: same shape as x.
    """
    # BEGIN SOLUTION
    t = cache
    dx = dout * (1 - t * t)
    return dx
    # END SOLUTION


# --------------------------------------------------------------------------- ELU


def elu_forward(x, alpha=1.0):
    """ELU forward pass: ``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``.

    Matches ``torch.nn.functional.elu``; must not overflow for large positive x.

    Inputs:
    - x: array of any shape.
    - alpha: saturation value for negative inputs (float).

    Returns a tuple:
    - out: same shape as x.
    - cache: whatever elu_backward needs.
    """
    # BEGIN SOLUTION
    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    cache = (x, out, alpha)
    return out, cache
    # END SOLUTION


def elu_backward(dout, cache):
    """ELU backward pass: gradient 1 where ``x > 0``, else ``alpha * exp(x)`` (so ``alpha`` at 0).

    Inputs:
    - dout: upstream gradient, same shape as x.
    - cache: from elu_forward.

    Returns:
    - dx: same shape as x.
    """
    # BEGIN SOLUTION
    x, out, alpha = cache
    dx = np.where(x > 0, dout, dout * (out + alpha))
    return dx
    # END SOLUTION


# --------------------------------------------------------------------------- dropout


def dropout_forward(x, dropout_param):
    """Inverted dropout forward pass.

    Inputs:
    - x: array of any shape.
    - dropout_param: dict with keys
      - "p": probability of DROPPING a unit (torch convention; CS231n's notes use
        the keep probability instead), 0 <= p <= 1.
      - "mode": "train" or "test".
      - "seed" (optional): if given, the mask is a deterministic function of it
        (same seed, same mask), e.g. ``np.random.default_rng(seed)``.

    In train mode each unit is kept with probability 1 - p and kept units are
    scaled by 1 / (1 - p), so the expected output equals x; p = 1 gives zeros.
    In test mode the layer is the identity.

    Returns a tuple:
    - out: same shape as x.
    - cache: whatever dropout_backward needs (e.g. (dropout_param, mask)).
    """
    # BEGIN SOLUTION
    p, mode = dropout_param["p"], dropout_param["mode"]
    mask = None
    if mode == "train":
        rng = np.random.default_rng(dropout_param.get("seed"))
        if p >= 1:
            mask = np.zeros(x.shape)
        else:
            mask = (rng.random(x.shape) >= p) / (1 - p)
        out = x * mask
    elif mode == "test":
        out = x.copy()
    else:
        raise ValueError(f"invalid dropout mode {mode!r}")
    cache = (dropout_param, mask)
    return out, cache
    # END SOLUTION


def dropout_backward(dout, cache):
    """Inverted dropout backward pass: the same mask (and scale) as the forward pass.

    Inputs:
    - dout: upstream gradient, same shape as x.
    - cache: from dropout_forward.

    Returns:
    - dx: same shape as x.
    """
    # BEGIN SOLUTION
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        return dout * mask
    return dout.copy()
    # END SOLUTION


# --------------------------------------------------------------------------- initialisation


def xavier_uniform(fan_in, fan_out, rng):
    """Xavier (Glorot) uniform initialisation, as ``torch.nn.init.xavier_uniform_``.

    Entries are drawn from U(-a, a) with ``a = sqrt(6 / (fan_in + fan_out))``,
    so the variance is ``2 / (fan_in + fan_out)``.

    Inputs:
    - fan_in, fan_out: ints.
    - rng: a numpy.random.Generator; draw every random number from it.

    Returns:
    - W: array of shape (fan_in, fan_out).
    """
    # BEGIN SOLUTION
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))
    # END SOLUTION


def xavier_normal(fan_in, fan_out, rng):
    """Xavier (Glorot) normal initialisation, as ``torch.nn.init.xavier_normal_``.

    Entries are drawn from N(0, std**2) with ``std = sqrt(2 / (fan_in + fan_out))``.

    Inputs:
    - fan_in, fan_out: ints.
    - rng: a numpy.random.Generator; draw every random number from it.

    Returns:
    - W: array of shape (fan_in, fan_out).
    """
    # BEGIN SOLUTION
    std = np.sqrt(2.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=(fan_in, fan_out))
    # END SOLUTION


def kaiming_normal(fan_in, fan_out, rng):
    """He (Kaiming) normal initialisation for ReLU layers, fan-in mode.

    As ``torch.nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")``:
    entries from N(0, std**2) with ``std = sqrt(2 / fan_in)``.

    Inputs:
    - fan_in, fan_out: ints.
    - rng: a numpy.random.Generator; draw every random number from it.

    Returns:
    - W: array of shape (fan_in, fan_out).
    """
    # BEGIN SOLUTION
    std = np.sqrt(2.0 / fan_in)
    return rng.normal(0.0, std, size=(fan_in, fan_out))
    # END SOLUTION


# --------------------------------------------------------------------------- clipping, penalties


def clip_grad_norm(grads, max_norm):
    """Clip gradients by their global L2 norm, as ``torch.nn.utils.clip_grad_norm_``.

    ``total_norm`` is the L2 norm of all entries of all arrays together. Every
    array is multiplied by ``coef = max_norm / (total_norm + 1e-6)``, clamped to
    at most 1 (gradients are never scaled up).

    Inputs:
    - grads: dict name -> array (any shapes).
    - max_norm: float > 0.

    Returns a tuple:
    - clipped_grads: dict with the same keys, arrays of the same shapes.
    - total_norm: float, the norm BEFORE clipping.
    """
    # BEGIN SOLUTION
    total_norm = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads.values())))
    coef = min(1.0, max_norm / (total_norm + 1e-6))
    clipped = {name: g * coef for name, g in grads.items()}
    return clipped, total_norm
    # END SOLUTION


def l1_regularization(weights, reg):
    """L1 penalty ``reg * sum(|w|)`` over all arrays, and its gradient.

    Inputs:
    - weights: dict name -> array.
    - reg: float, regularisation strength.

    Returns a tuple:
    - loss: float.
    - grads: dict with the same keys; ``grads[k]`` shaped like ``weights[k]``
      (``reg * sign(w)``; 0 at w == 0).
    """
    # BEGIN SOLUTION
    loss = float(reg * sum(np.abs(w).sum() for w in weights.values()))
    grads = {name: reg * np.sign(w) for name, w in weights.items()}
    return loss, grads
    # END SOLUTION


def l2_regularization(weights, reg):
    """L2 penalty ``0.5 * reg * sum(w**2)`` over all arrays, and its gradient.

    Inputs:
    - weights: dict name -> array.
    - reg: float, regularisation strength.

    Returns a tuple:
    - loss: float.
    - grads: dict with the same keys; ``grads[k] = reg * weights[k]``.
    """
    # BEGIN SOLUTION
    loss = float(0.5 * reg * sum(np.sum(w * w) for w in weights.values()))
    grads = {name: reg * w for name, w in weights.items()}
    return loss, grads
    # END SOLUTION


# --------------------------------------------------------------------------- gradient check


def numeric_gradient(f, x, h=1e-5):
    """Numerical gradient of a scalar function by central differences.

    ``grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h)`` for every entry i.

    ``x`` is perturbed IN PLACE, one entry at a time (the CS231n convention, so a
    closure ``lambda _: loss()`` that reads x itself also works), and each entry is
    restored EXACTLY afterwards: store the old value and put it back (adding and
    subtracting h does not round-trip in floating point).

    Inputs:
    - f: callable taking x (the perturbed array) and returning a scalar.
    - x: float64 array of any shape.
    - h: step size (float).

    Returns:
    - grad: float64 array shaped like x.
    """
    # BEGIN SOLUTION
    grad = np.zeros(x.shape, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        f_plus = float(f(x))
        x[ix] = old - h
        f_minus = float(f(x))
        x[ix] = old
        grad[ix] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad
    # END SOLUTION


# --------------------------------------------------------------------------- two-layer net


def two_layer_net_loss(params, X, y=None, reg=0.0):
    """Loss and gradients of a two-layer net: affine - ReLU - affine - softmax.

    Inputs:
    - params: dict with "W1" (D, H), "b1" (H,), "W2" (H, C), "b2" (C,).
    - X: inputs, shape (N, D).
    - y: integer labels, shape (N,), values in [0, C); or None.
    - reg: L2 strength; the loss adds ``0.5 * reg * (sum(W1**2) + sum(W2**2))``
      (biases are not regularised).

    Returns:
    - if y is None: scores, shape (N, C) (before the softmax).
    - else a tuple (loss, grads): loss a float, the mean softmax cross-entropy over
      the batch plus the penalty; grads a dict with the keys of params, each
      shaped like its parameter.
    """
    # BEGIN SOLUTION
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    hidden_pre, cache1 = affine_forward(X, W1, b1)
    hidden, cache_relu = relu_forward(hidden_pre)
    scores, cache2 = affine_forward(hidden, W2, b2)
    if y is None:
        return scores

    n = X.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].mean()
    loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1
    dscores /= n
    dhidden, dW2, db2 = affine_backward(dscores, cache2)
    dhidden_pre = relu_backward(dhidden, cache_relu)
    _, dW1, db1 = affine_backward(dhidden_pre, cache1)
    grads = {"W1": dW1 + reg * W1, "b1": db1, "W2": dW2 + reg * W2, "b2": db2}
    return float(loss), grads
    # END SOLUTION
