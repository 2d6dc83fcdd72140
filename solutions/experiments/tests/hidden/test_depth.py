"""Hidden tests: signals and gradients through depth (activation_std_by_layer, gradient_norm_by_layer).

Mechanics: zeros give exactly zero; the first layer's std against its closed form
(within 5%, about 6.5 standard errors at the sizes drawn); gradient norms per layer
inside the range of 400 networks of the same kind built by the test (torch
autograd, all at once), widened by half a decade (the range of 3000 networks exceeds
that of 300 by at most 0.26 decades). Claims at depth 10, width 256 (250 inputs, 20 layers for gradients): N(0, 0.01^2) weights
make the signal collapse, xavier keeps tanh and kaiming keeps ReLU in a band; deep
sigmoid networks' first layers get vanishing gradients, ReLU with kaiming and
residual connections keep them within a few decades (each on the majority of 5 seeds).
"""

import math

import numpy as np
import pytest
import torch
from numpy.polynomial.hermite_e import hermegauss

from autograder.claims import Verdict, claim
from autograder.testing import assert_close, assert_scalar_close

WEIGHT_STD = {"normal_0.01": lambda width: 0.01, "xavier": lambda width: math.sqrt(1 / width),
              "kaiming": lambda width: math.sqrt(2 / width)}


def _std_of_activation(activation, s):
    """std of act(s * Z), Z ~ N(0, 1): exact for ReLU, Gauss-Hermite quadrature for tanh."""
    if activation == "relu":
        return s * math.sqrt(0.5 - 0.5 / math.pi)
    nodes, weights = hermegauss(80)
    weights = weights / weights.sum()
    return math.sqrt(float(np.sum(weights * np.tanh(s * nodes) ** 2)))


def _as_vector(value, length, name):
    array = np.asarray(value, dtype=np.float64)
    if array.shape != (length,):
        raise AssertionError(f"{name}: shape {array.shape}, expected ({length},) (one value per layer)")
    return array


# --------------------------------------------------------------------------- activation_std_by_layer


@pytest.mark.task("init_depth")
def test_zero_weights_give_zero_signal(submission, rng):
    """init="zeros": every layer's output is exactly 0, for tanh and relu."""
    depth = int(rng.integers(2, 6))
    for activation in ("tanh", "relu"):
        stds = _as_vector(submission.activation_std_by_layer("zeros", activation, depth=depth, width=32, n=50,
                                                             seed=int(rng.integers(0, 2**31 - 1))), depth, f"stds ({activation})")
        assert_close(stds, np.zeros(depth), name=f"std per layer with zero weights ({activation})", rtol=0, atol=0)


@pytest.mark.task("init_depth")
@pytest.mark.parametrize("init", ["normal_0.01", "xavier", "kaiming"])
def test_first_layer_std_matches_the_initialiser(submission, rng, init):
    """The first layer's output std is std(act(s Z)) with s^2 = width * Var(W) (within 5%), for tanh and relu; the same seed, the same stds."""
    width, n, seed = int(rng.integers(128, 257)), int(rng.integers(500, 1001)), int(rng.integers(0, 2**31 - 1))
    for activation in ("tanh", "relu"):
        stds = _as_vector(submission.activation_std_by_layer(init, activation, depth=2, width=width, n=n, seed=seed), 2,
                          f"stds ({init}, {activation})")
        s = math.sqrt(width) * WEIGHT_STD[init](width)
        hints = {}
        if init == "kaiming":
            hints["kaiming_xavier_std"] = _std_of_activation(activation, 1.0)
        if init == "xavier":
            hints["xavier_kaiming_std"] = _std_of_activation(activation, math.sqrt(2))
            hints["xavier_uniform_std_as_bound"] = _std_of_activation(activation, s / math.sqrt(3))
        if init == "normal_0.01":
            hints["small_init_std_as_variance"] = _std_of_activation(activation, 0.1 * math.sqrt(width))
        assert_scalar_close(stds[0], _std_of_activation(activation, s), name=f"std of the first layer's output ({init}, {activation})",
                            rtol=0.05, atol=0, hints=hints)
    again = _as_vector(submission.activation_std_by_layer(init, "relu", depth=2, width=width, n=n, seed=seed), 2, "stds")
    assert_close(again, stds, name="stds with the same seed (draw inputs and weights from default_rng(seed))", rtol=0, atol=0)


@claim(task="init_depth", seeds=5)
def small_weights_collapse_the_signal(submission, seed):
    """With N(0, 0.01^2) weights (depth 10, width 256, 250 inputs) the last layer's std falls below 1e-4 times the first's, for tanh and relu."""
    ratios = []
    for activation in ("tanh", "relu"):
        stds = _as_vector(submission.activation_std_by_layer("normal_0.01", activation, n=250, seed=seed), 10, "stds")
        ratios.append(stds[-1] / stds[0] if stds[0] > 0 else math.inf)
    holds = all(r < 1e-4 for r in ratios)
    return Verdict(holds, f"last/first std: {ratios[0]:.2e} (tanh), {ratios[1]:.2e} (relu)")


@pytest.mark.task("init_depth")
def test_claim_small_weights_collapse_the_signal(submission, rng):
    """Claim (5 seeds, majority): N(0, 0.01^2) weights make the signal vanish with depth."""
    small_weights_collapse_the_signal.check(submission, rng)


@claim(task="init_depth", seeds=5)
def xavier_tanh_and_kaiming_relu_stay_in_a_band(submission, seed):
    """At depth 10, width 256 (250 inputs), every layer's std stays in [0.1, 1] with xavier + tanh and in [0.3, 3] with kaiming + ReLU."""
    tanh = _as_vector(submission.activation_std_by_layer("xavier", "tanh", n=250, seed=seed), 10, "stds (xavier, tanh)")
    relu = _as_vector(submission.activation_std_by_layer("kaiming", "relu", n=250, seed=seed), 10, "stds (kaiming, relu)")
    holds = bool(np.all((tanh >= 0.1) & (tanh <= 1)) and np.all((relu >= 0.3) & (relu <= 3)))
    return Verdict(holds, f"xavier + tanh from {tanh.min():.3g} to {tanh.max():.3g}; kaiming + relu from {relu.min():.3g} to {relu.max():.3g}")


@pytest.mark.task("init_depth")
def test_claim_xavier_and_kaiming_keep_the_signal(submission, rng):
    """Claim (5 seeds, majority): xavier keeps tanh and kaiming keeps ReLU in a stable band through 10 layers."""
    xavier_tanh_and_kaiming_relu_stay_in_a_band.check(submission, rng)


# --------------------------------------------------------------------------- gradient_norm_by_layer


def _oracle_norms(activation, depth, width, residual, networks, generator):
    """(networks, depth) gradient norms of ``networks`` independent networks, by torch autograd, all at once."""
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    std = math.sqrt(2 / width) if activation == "relu" else math.sqrt(1 / width)
    h = torch.randn(networks, 128, width, dtype=torch.float64, generator=generator)
    weights = [(torch.randn(networks, width, width, dtype=torch.float64, generator=generator) * std).requires_grad_()
               for _ in range(depth)]
    for W in weights:
        a = act(torch.bmm(h, W))
        h = h + a if residual else a
    loss = 0.5 * (h**2).mean(dim=(1, 2)).sum()  # each network's own mean; their sum keeps the gradients apart
    grads = torch.autograd.grad(loss, weights)
    return torch.stack([g.flatten(1).norm(dim=1) for g in grads], dim=1).numpy()


@pytest.mark.task("gradient_flow")
@pytest.mark.parametrize("activation, residual", [("sigmoid", False), ("tanh", True)])
def test_gradient_norms_within_the_range_of_such_networks(submission, rng, activation, residual):
    """Per layer (first first), the norms fall within the range of 400 networks built the same way, +- half a decade."""
    depth, width = 6, 16
    generator = torch.Generator().manual_seed(int(rng.integers(0, 2**31 - 1)))
    reference = np.log10(_oracle_norms(activation, depth, width, residual, 400, generator))
    low, high = reference.min(axis=0) - 0.5, reference.max(axis=0) + 0.5
    for seed in rng.integers(0, 2**31 - 1, size=2):
        norms = _as_vector(submission.gradient_norm_by_layer(activation, depth=depth, width=width, residual=residual, seed=int(seed)),
                           depth, "gradient norms")
        if not np.all(np.isfinite(norms) & (norms > 0)):
            raise AssertionError(f"gradient norms ({activation}, residual={residual}): expected positive finite values")
        logs = np.log10(norms)
        outside = np.flatnonzero((logs < low) | (logs > high))
        if outside.size:
            layer = int(outside[0])
            message = (f"gradient norms ({activation}, residual={residual}, depth {depth}, width {width}): layer {layer} has "
                       f"{norms[layer]:.3g}, outside the range {10 ** low[layer]:.3g} .. {10 ** high[layer]:.3g} of such networks")
            if np.all((logs[::-1] >= low) & (logs[::-1] <= high)):
                message += ". Reversed, they would fit: return the first layer first"
            elif np.allclose(logs - np.log10(128 * width), np.clip(logs - np.log10(128 * width), low, high)):
                message += ". They are 128 * width times too large: the loss is the mean of 0.5 * h ** 2, not its sum"
            raise AssertionError(message)


@claim(task="gradient_flow", seeds=5)
def sigmoid_gradients_vanish(submission, seed):
    """In a 20-layer sigmoid network (width 64, xavier) the first layer's gradient norm is below 1e-6 times the last layer's."""
    norms = _as_vector(submission.gradient_norm_by_layer("sigmoid", seed=seed), 20, "gradient norms")
    ratio = norms[0] / norms[-1] if norms[-1] > 0 else math.inf
    return Verdict(bool(ratio < 1e-6), f"first/last gradient norm {ratio:.2e}")


@pytest.mark.task("gradient_flow")
def test_claim_sigmoid_gradients_vanish(submission, rng):
    """Claim (5 seeds, majority): a deep sigmoid network's first layers get vanishing gradients."""
    sigmoid_gradients_vanish.check(submission, rng)


@claim(task="gradient_flow", seeds=5)
def relu_and_residuals_keep_gradients(submission, seed):
    """At depth 20, ReLU with kaiming keeps max/min gradient norm below 1e2, and residual connections keep it below 1e3 for sigmoid, tanh and ReLU."""
    spreads = {}
    for activation, residual in (("relu", False), ("sigmoid", True), ("tanh", True), ("relu", True)):
        norms = _as_vector(submission.gradient_norm_by_layer(activation, residual=residual, seed=seed), 20, "gradient norms")
        spreads[(activation, residual)] = norms.max() / norms.min() if norms.min() > 0 else math.inf
    holds = spreads[("relu", False)] < 1e2 and all(v < 1e3 for (a, r), v in spreads.items() if r)
    return Verdict(bool(holds), "max/min: " + ", ".join(f"{a}{' residual' if r else ''} {v:.3g}" for (a, r), v in spreads.items()))


@pytest.mark.task("gradient_flow")
def test_claim_relu_and_residuals_keep_gradients(submission, rng):
    """Claim (5 seeds, majority): ReLU + kaiming and residual connections keep gradient norms within a few decades."""
    relu_and_residuals_keep_gradients.check(submission, rng)
