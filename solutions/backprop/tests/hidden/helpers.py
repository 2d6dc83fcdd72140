"""Helpers of the backprop hidden tests: input generators and torch oracles (harness side only).

Oracles are pure functions of their arguments decorated with ``@oracle`` (computed
once per batch); torch layers go through ``autograder.testing.torch_oracles``.
"""

import numpy as np

from autograder.errors import GraderError
from autograder.testing import ComparisonFailure, assert_close, assert_scalar_close, check_loss_gradient, note, oracle
from autograder.testing.lazy_torch import F, torch

# --------------------------------------------------------------------------- inputs


def no_zeros(array, margin=1e-3):
    """``array`` with entries pushed at least ``margin`` away from 0 (the kink of relu/leaky/elu), signs kept."""
    array = np.asarray(array, dtype=np.float64)
    sign = np.where(array >= 0, 1.0, -1.0)
    return np.where(np.abs(array) < margin, sign * (margin + np.abs(array)), array)


def with_exact_zeros(rng, shape, scale=2.0):
    """Random values of ``shape`` (none near 0) with about a third of the entries exactly 0 (at least one)."""
    x = no_zeros(rng.standard_normal(shape) * scale)
    zeros = rng.random(shape) < 0.35
    zeros.flat[int(rng.integers(zeros.size))] = True
    return np.where(zeros, 0.0, x)


def nonzero_dout(rng, shape):
    """An upstream gradient with no entry near 0, so a gradient of 0 and one of dout always differ."""
    return no_zeros(rng.standard_normal(shape), margin=0.1)


def random_shape(rng, ndim_low=2, ndim_high=4, low=2, high=6):
    """A shape with ``ndim_low..ndim_high`` axes, each of length ``low..high-1``."""
    return tuple(int(s) for s in rng.integers(low, high, size=int(rng.integers(ndim_low, ndim_high + 1))))


def describe(value):
    """What a student's function returned, for messages (never the data itself)."""
    if value is None:
        return "None (a function that ends without `return` returns None)"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} value(s)"
    return f"a {type(value).__name__}"


def forward_pair(result, function):
    """``(out, cache)`` of a forward pass, or a failure that says the forward must return a pair."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise AssertionError(f"{function} must return a pair (out, cache), got {describe(result)}")
    return result


def array_like(value, reference, name):
    """``value`` as a float64 array, or a failure saying it is not an array shaped like ``reference``."""
    if not isinstance(value, np.ndarray):
        raise AssertionError(f"{name}: must be a NumPy array, got {describe(value)}")
    if value.shape != np.shape(reference):
        raise AssertionError(f"{name}: shape {value.shape}, expected {np.shape(reference)}")
    return np.asarray(value, dtype=np.float64)


# --------------------------------------------------------------------------- torch layers (float64)


def torch_affine(x, w, b):
    """The affine layer of API.md: x (N, d1, ..., dk) flattened to (N, D), then x @ w + b."""
    return x.reshape(x.shape[0], -1) @ w + b


def torch_elu(x, alpha):
    return F.elu(x, alpha=alpha)


# --------------------------------------------------------------------------- dropout


def kept_units(out, shape):
    """The units the student's dropout kept (inputs have no zeros): ``out != 0``, in x's ``shape`` (an
    output of another shape with as many values is read in order; the output's own test reports its shape)."""
    out = np.asarray(out)
    if out.size != int(np.prod(shape)):
        return np.zeros(shape, dtype=bool)
    return (out != 0).reshape(shape)


def dropout_out_given_draw(x, p):
    """The right train-mode output for the mask the student's forward drew (seen in its output)."""
    x = np.asarray(x, dtype=np.float64)
    return lambda out: np.where(kept_units(out, x.shape), x / (1 - p), 0.0)


def dropout_dx_given_draw(dout, p):
    """The right train-mode dx for the mask the student's forward drew."""
    dout = np.asarray(dout, dtype=np.float64)
    return lambda out: (np.where(kept_units(out, dout.shape), dout / (1 - p), 0.0),)


def far_from_half(rng):
    """A drop probability clearly away from 0.5, so p and 1 - p cannot be confused."""
    p = float(rng.uniform(0.15, 0.35))
    return p if rng.random() < 0.5 else 1.0 - p


def nonzero_inputs(rng, shape, dtype=np.float64):
    """Inputs with no entry near 0: a zero in a dropout output then means a dropped unit."""
    x = rng.standard_normal(shape)
    return (np.sign(x) * (0.1 + np.abs(x))).astype(dtype)


# --------------------------------------------------------------------------- clipping and penalties


def random_grads(rng, dtype=np.float64):
    """A dict of 3-4 gradient arrays of different shapes (2-D, 1-D, 4-D, sometimes (1,))."""
    shapes = [(int(rng.integers(2, 8)), int(rng.integers(2, 8))), (int(rng.integers(2, 10)),),
              tuple(int(s) for s in rng.integers(2, 5, size=4))]
    names = ["W1", "b1", "conv_w"]
    if rng.random() < 0.5:
        shapes.append((1,))
        names.append("scale")
    return {n: rng.standard_normal(s).astype(dtype) for n, s in zip(names, shapes)}


def global_norm(grads):
    return float(np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads.values())))


@oracle
def torch_clip(grads, max_norm):
    """``(clipped, total_norm)`` of ``torch.nn.utils.clip_grad_norm_`` on float64 copies of ``grads``."""
    params = []
    for g in grads.values():
        p = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        p.grad = torch.tensor(np.array(g, dtype=np.float64))
        params.append(p)
    total = float(torch.nn.utils.clip_grad_norm_(params, max_norm))
    return {n: p.grad.numpy().copy() for n, p in zip(grads, params)}, total


@oracle
def torch_penalty(weights, reg, kind):
    """``(loss, grads)`` of ``reg * sum|w|`` (kind "l1") or ``0.5 * reg * sum w**2`` ("l2"), by torch autograd."""
    leaves = {k: torch.tensor(np.array(v, dtype=np.float64), requires_grad=True) for k, v in weights.items()}
    if kind == "l1":
        loss = reg * sum(t.abs().sum() for t in leaves.values())
    else:
        loss = 0.5 * reg * sum((t**2).sum() for t in leaves.values())
    loss.backward()
    return float(loss.detach()), {k: t.grad.numpy().copy() for k, t in leaves.items()}


def penalty_weights(rng, dtype=np.float64):
    """Weight arrays with no entry near 0 (the kink of |w|, where API.md states no gradient)."""
    return {k: no_zeros(v, margin=1e-3).astype(dtype) for k, v in random_grads(rng).items()}


def dict_result(result, function, keys):
    """``(loss, grads)`` of a function returning a loss and a dict of gradients, checked for form."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise AssertionError(f"{function} must return a pair (loss, grads), got {describe(result)}")
    loss, grads = result
    if not isinstance(grads, dict) or set(grads) != set(keys):
        raise AssertionError(f"{function}: grads must be a dict with the keys {sorted(keys)}, got "
                             + (f"keys {sorted(map(str, grads))}" if isinstance(grads, dict) else f"a {type(grads).__name__}"))
    return loss, grads


# --------------------------------------------------------------------------- two-layer net

NET_KEYS = ("W1", "b1", "W2", "b2")


def net_case(rng, n, d, h, c, scale=1.0, dtype=np.float64):
    """Parameters ``W1 (d, h)``, ``b1``, ``W2 (h, c)``, ``b2``, inputs ``X (n, d)`` and labels ``y (n,)``."""
    params = {"W1": rng.standard_normal((d, h)) / np.sqrt(d), "b1": rng.standard_normal(h) * 0.1,
              "W2": rng.standard_normal((h, c)) / np.sqrt(h), "b2": rng.standard_normal(c) * 0.1}
    params = {k: v.astype(dtype) for k, v in params.items()}
    X = (rng.standard_normal((n, d)) * scale).astype(dtype)
    y = rng.integers(0, c, size=n)
    return params, X, y


@oracle
def torch_net(params, X, y, reg):
    """The reference two-layer net by torch autograd: ``{"scores", "loss", "data_loss", "grads"}``
    (scores only when ``y`` is None)."""
    t = {k: torch.tensor(np.array(v, dtype=np.float64), requires_grad=True) for k, v in params.items()}
    scores = torch.relu(torch.tensor(np.array(X, dtype=np.float64)) @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]
    if y is None:
        return {"scores": scores.detach().numpy().copy()}
    data = F.cross_entropy(scores, torch.tensor(np.asarray(y), dtype=torch.long))
    loss = data + 0.5 * reg * ((t["W1"] ** 2).sum() + (t["W2"] ** 2).sum())
    loss.backward()
    return {"scores": scores.detach().numpy().copy(), "loss": float(loss.detach()), "data_loss": float(data.detach()),
            "grads": {k: v.grad.numpy().copy() for k, v in t.items()}}


def unstable_net_loss(params, X, y, reg):
    """``(loss, grads)`` of the net with a softmax that does not subtract the row maximum (what overflows)."""
    p = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    h_pre = X @ p["W1"] + p["b1"]
    h = np.maximum(h_pre, 0)
    scores = h @ p["W2"] + p["b2"]
    with np.errstate(all="ignore"):
        e = np.exp(scores)
        probs = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(probs[np.arange(n), y]).mean() + 0.5 * reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))
        d = probs.copy()
        d[np.arange(n), y] -= 1
        d /= n
        dh = (d @ p["W2"].T) * (h_pre > 0)
        grads = {"W1": X.T @ dh + reg * p["W1"], "b1": dh.sum(0), "W2": h.T @ d + reg * p["W2"], "b2": d.sum(0)}
    return float(loss), grads


def _softmax_ce(scores, y):
    """``(loss, dscores)`` of the mean softmax cross-entropy (stable), in the harness."""
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1
    return float(-log_probs[np.arange(n), y].mean()), dscores / n


def net_through_student_layers(submission, params, X, y, reg):
    """The net built from the student's OWN affine and ReLU layers (called in the worker), with the
    reference softmax and penalty: ``{"scores", "loss", "grads"}`` as :func:`torch_net`, or None when
    a layer fails or returns something unusable.

    two_layer_net_loss is "affine - ReLU - affine - softmax"; students build it from their layers.
    When those layers are wrong, their tasks already lose the points: a net that is right given
    the student's own layers keeps its points (with a note), so one bug costs once.
    """
    p = {k: np.asarray(v) for k, v in params.items()}
    try:
        h_pre, cache1 = forward_pair(submission.affine_forward(X.copy(), p["W1"].copy(), p["b1"].copy()), "affine_forward")
        h, cache_relu = forward_pair(submission.relu_forward(np.array(h_pre, copy=True)), "relu_forward")
        scores, cache2 = forward_pair(submission.affine_forward(np.array(h, copy=True), p["W2"].copy(), p["b2"].copy()), "affine_forward")
        scores = np.asarray(scores, dtype=np.float64)
        if y is None:
            return {"scores": scores}
        data_loss, dscores = _softmax_ce(scores, y)
        W1, W2 = p["W1"].astype(np.float64), p["W2"].astype(np.float64)
        dh, dW2, db2 = submission.affine_backward(dscores, cache2)
        dh_pre = submission.relu_backward(np.asarray(dh, dtype=np.float64), cache_relu)
        _, dW1, db1 = submission.affine_backward(np.asarray(dh_pre, dtype=np.float64), cache1)
        grads = {"W1": np.asarray(dW1, dtype=np.float64) + reg * W1, "b1": np.asarray(db1, dtype=np.float64),
                 "W2": np.asarray(dW2, dtype=np.float64) + reg * W2, "b2": np.asarray(db2, dtype=np.float64)}
    except GraderError:
        raise
    except Exception:  # noqa: BLE001 (a layer is missing, fails, or returns a wrong form: no such net to compare with)
        return None
    loss = data_loss + 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2))
    return {"scores": scores, "loss": float(loss), "grads": grads}


LAYERS_NOTE = ("two_layer_net_loss agrees with your own affine and ReLU layers, which are wrong on this input; "
               "fix them (see the tasks affine and relu) and the net follows")


def _agrees(value, reference, tolerances, name):
    try:
        assert_close(value, reference, name=name, **tolerances)
        return True
    except AssertionError:
        return False


def _own_layers_differ(own, reference, key, tolerances):
    """Whether the net built from the student's layers differs from the reference in ``key``."""
    if key == "grads":
        return not all(_agrees(own["grads"][k], reference["grads"][k], tolerances, k) for k in NET_KEYS)
    return not _agrees(own[key], reference[key], tolerances, key)


def check_net_value(submission, params, X, y, reg, tolerances, key, actual, hints=None):
    """Compare the net's scores (``key="scores"``) or loss (``"loss"``) with the reference, or, when the
    student's own affine/ReLU layers are wrong, with the net those layers give."""
    reference = torch_net(params, X, y, reg)
    compare = assert_close if key == "scores" else assert_scalar_close
    try:
        compare(actual, reference[key], name=key, hints=hints, **tolerances)
        return
    except ComparisonFailure as failure:
        own = net_through_student_layers(submission, params, X, y, reg)
        if own is None or not _own_layers_differ(own, reference, key, tolerances):
            raise
        try:
            compare(actual, own[key], name=key, **tolerances)
        except AssertionError:
            raise failure from None
    note(LAYERS_NOTE)


def net_call(submission, X, y, reg):
    """``call(W1, b1, W2, b2) -> (loss, (dW1, db1, dW2, db2))`` of the student's net, for check_loss_gradient."""
    def call(W1, b1, W2, b2):
        result = submission.two_layer_net_loss({"W1": W1, "b1": b1, "W2": W2, "b2": b2}, np.array(X, copy=True), np.array(y, copy=True), reg)
        loss, grads = dict_result(result, "two_layer_net_loss", NET_KEYS)
        return loss, tuple(grads[k] for k in NET_KEYS)
    return call


def check_net_gradients(submission, params, X, y, reg, tolerances, hints=None):
    """The net's four gradients: against the reference; else, when the loss value is wrong, against the
    gradient of the student's own loss (check_loss_gradient); else, when the student's affine/ReLU layers
    are wrong, against the net those layers give."""
    reference = torch_net(params, X, y, reg)
    call = net_call(submission, X, y, reg)
    try:
        check_loss_gradient(call, [params[k] for k in NET_KEYS], wrt=(0, 1, 2, 3), expected_loss=reference["loss"],
                            expected_grads=[reference["grads"][k] for k in NET_KEYS], names=[f"grads['{k}']" for k in NET_KEYS],
                            function="two_layer_net_loss", value_tests="the loss tests of two_layer_net", hints=hints, **tolerances)
        return
    except ComparisonFailure as failure:
        own = net_through_student_layers(submission, params, X, y, reg)
        if own is None or not _own_layers_differ(own, reference, "grads", tolerances):
            raise
        _, grads = call(*[params[k] for k in NET_KEYS])
        if not all(_agrees(g, own["grads"][k], tolerances, k) for g, k in zip(grads, NET_KEYS)):
            raise failure from None
    note(LAYERS_NOTE)
