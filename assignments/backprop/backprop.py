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
    raise NotImplementedError("affine: implement affine_forward")


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
    raise NotImplementedError("affine: implement affine_backward")


# --------------------------------------------------------------------------- ReLU family


def relu_forward(x):
    """ReLU forward pass: ``out = max(0, x)`` elementwise.

    Inputs:
    - x: array of any shape.

    Returns a tuple:
    - out: same shape as x.
    - cache: whatever relu_backward needs.
    """
    raise NotImplementedError("relu: implement relu_forward")


def relu_backward(dout, cache):
    """ReLU backward pass; the gradient at exactly 0 is taken as 0.

    Inputs:
    - dout: upstream gradient, same shape as x.
    - cache: from relu_forward.

    Returns:
    - dx: same shape as x.
    """
    raise NotImplementedError("relu: implement relu_backward")


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
    raise NotImplementedError("relu: implement leaky_relu_forward")


def leaky_relu_backward(dout, cache):
    """Leaky ReLU backward pass; the gradient at exactly 0 is ``negative_slope`` (as torch).

    Inputs:
    - dout: upstream gradient, same shape as x.
    - cache: from leaky_relu_forward.

    Returns:
    - dx: same shape as x.
    """
    raise NotImplementedError("relu: implement leaky_relu_backward")


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
    raise NotImplementedError("sigmoid_tanh: implement sigmoid_forward")


def sigmoid_backward(dout, cache):
    """Sigmoid backward pass: ``dx = dout * s * (1 - s)`` with ``s = sigmoid(x)``.

    Inputs:
    - dout: upstream gradient, same shape as x.
    - cache: from sigmoid_forward.

    Returns:
    - dx: same shape as x.
    """
    raise NotImplementedError("sigmoid_tanh: implement sigmoid_backward")


def tanh_forward(x):
    """Tanh forward pass.

    Inputs:
    - x: array of any shape.

    Returns a tuple:
    - out: same shape as x, values in [-1, 1].
    - cache: whatever tanh_backward needs.
    """
    raise NotImplementedError("sigmoid_tanh: implement tanh_forward")


def tanh_backward(dout, cache):
    """Tanh backward pass: ``dx = dout * (1 - tanh(x)**2)``.

    Inputs:
    - dout: upstream gradient, same shape as x.
    - cache: from tanh_forward.

    Returns:
    - dx: same shape as x.
    """
    raise NotImplementedError("sigmoid_tanh: implement tanh_backward")


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
    raise NotImplementedError("elu: implement elu_forward")


def elu_backward(dout, cache):
    """ELU backward pass: gradient 1 where ``x > 0``, else ``alpha * exp(x)`` (so ``alpha`` at 0).

    Inputs:
    - dout: upstream gradient, same shape as x.
    - cache: from elu_forward.

    Returns:
    - dx: same shape as x.
    """
    raise NotImplementedError("elu: implement elu_backward")


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
    raise NotImplementedError("dropout: implement dropout_forward")


def dropout_backward(dout, cache):
    """Inverted dropout backward pass: the same mask (and scale) as the forward pass.

    Inputs:
    - dout: upstream gradient, same shape as x.
    - cache: from dropout_forward.

    Returns:
    - dx: same shape as x.
    """
    raise NotImplementedError("dropout: implement dropout_backward")


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
    raise NotImplementedError("init: implement xavier_uniform")


def xavier_normal(fan_in, fan_out, rng):
    """Xavier (Glorot) normal initialisation, as ``torch.nn.init.xavier_normal_``.

    Entries are drawn from N(0, std**2) with ``std = sqrt(2 / (fan_in + fan_out))``.

    Inputs:
    - fan_in, fan_out: ints.
    - rng: a numpy.random.Generator; draw every random number from it.

    Returns:
    - W: array of shape (fan_in, fan_out).
    """
    raise NotImplementedError("init: implement xavier_normal")


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
    raise NotImplementedError("init: implement kaiming_normal")


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
    raise NotImplementedError("clip_grad: implement clip_grad_norm")


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
    raise NotImplementedError("regularization: implement l1_regularization")


def l2_regularization(weights, reg):
    """L2 penalty ``0.5 * reg * sum(w**2)`` over all arrays, and its gradient.

    Inputs:
    - weights: dict name -> array.
    - reg: float, regularisation strength.

    Returns a tuple:
    - loss: float.
    - grads: dict with the same keys; ``grads[k] = reg * weights[k]``.
    """
    raise NotImplementedError("regularization: implement l2_regularization")


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
    raise NotImplementedError("numeric_gradient: implement numeric_gradient")


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
    raise NotImplementedError("two_layer_net: implement two_layer_net_loss")
