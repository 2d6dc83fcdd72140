"""Experiments from the notes: each function runs one and returns what it measured.

The notes draw conclusions from small experiments: test accuracy falls as the
batch size grows, L1 makes weights sparse and L2 does not, initialisation
decides whether signals survive depth, deep sigmoid networks lose their
gradients, dropout shifts the variance batch norm sees, transposed convolutions
make checkerboards, imbalance hurts the minority class, capacity trades under-
for over-fitting, unsupervised reduction can throw the signal away, GANs
collapse onto a few modes. Here you rerun them.

NumPy, PyTorch (CPU) and scikit-learn are allowed. Return NumPy arrays, Python
or NumPy scalars, and lists/tuples/dicts of them, never torch tensors. All data
is made here (nothing is downloaded), from the ``seed`` argument: the same seed
gives the same result.
"""

import time

import numpy as np
import torch
from numpy.polynomial import Polynomial
from sklearn.linear_model import LogisticRegression


# --------------------------------------------------------------------------- the batch-size study


def gaussian_mixture(n, dim=12, separation=1.0, seed=0):
    """The notes' data set: two Gaussians in ``dim`` dimensions, means ``separation`` apart per dimension.

    Inputs:
    - n: number of samples, even; half from N(0, I) with label 0, half from
      N(separation * ones(dim), I) with label 1.
    - dim, separation: as above.
    - seed: ``numpy.random.default_rng(seed)`` draws everything.

    Returns ``(X, y)``: X float64 of shape (n, dim), y int64 of shape (n,),
    rows shuffled (the labels are not sorted).
    """
    # BEGIN SOLUTION
    if n % 2:
        raise ValueError(f"n must be even, got {n}")
    rng = np.random.default_rng(seed)
    half = n // 2
    X = rng.standard_normal((n, dim))
    X[half:] += separation
    y = np.concatenate([np.zeros(half, dtype=np.int64), np.ones(half, dtype=np.int64)])
    order = rng.permutation(n)
    return X[order], y[order]
    # END SOLUTION


def train_mlp(X_train, y_train, X_test, y_test, batch_size, epochs, lr, seed=0, hidden=32):
    """Train a one-hidden-layer MLP with mini-batch SGD (torch, float32, CPU).

    The model is ``Linear(dim, hidden)``, ReLU, ``Linear(hidden, 1)`` with torch's
    default initialisation after ``torch.manual_seed(seed)``; the loss
    ``BCEWithLogitsLoss`` (mean over the batch); the optimiser plain
    ``torch.optim.SGD(lr=lr)``. Shuffling: ``g = torch.Generator().manual_seed(seed)``
    created once; each epoch ``perm = torch.randperm(n, generator=g)``, batch ``i``
    being ``perm[i * batch_size:(i + 1) * batch_size]`` (the last, smaller one included).

    Inputs:
    - X_train: (n, dim), y_train: (n,) labels 0/1; X_test: (m, dim), y_test: (m,).
    - batch_size, epochs, lr: as above.

    Returns a dict:
    - "test_accuracy": float, correct / m, a test sample predicted 1 when its logit > 0.
    - "train_loss": list of ``epochs`` floats, per epoch the mean of its batch losses.
    - "updates": int, the number of optimiser steps taken.
    """
    # BEGIN SOLUTION
    torch.manual_seed(seed)
    x_train = torch.as_tensor(np.asarray(X_train), dtype=torch.float32)
    t_train = torch.as_tensor(np.asarray(y_train), dtype=torch.float32)
    x_test = torch.as_tensor(np.asarray(X_test), dtype=torch.float32)
    model = torch.nn.Sequential(torch.nn.Linear(x_train.shape[1], hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    generator = torch.Generator().manual_seed(seed)
    n = x_train.shape[0]
    updates = 0
    train_loss = []
    for _ in range(epochs):
        perm = torch.randperm(n, generator=generator)
        batch_losses = []
        for start in range(0, n, batch_size):
            index = perm[start:start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[index]).squeeze(1), t_train[index])
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
            updates += 1
        train_loss.append(float(np.mean(batch_losses)))
    with torch.no_grad():
        predicted = (model(x_test).squeeze(1) > 0).numpy()
    accuracy = float(np.mean(predicted == (np.asarray(y_test) == 1)))
    return {"test_accuracy": accuracy, "train_loss": train_loss, "updates": updates}
    # END SOLUTION


def batch_size_study(batch_sizes, epochs=20, lr=0.05, seed=0):
    """The notes' study: how does the batch size change test accuracy and run time?

    Data: ``gaussian_mixture(500, 12, 1.0, seed)``; the first 400 rows train, the
    last 100 test. For each ``b`` in ``batch_sizes``:
    ``train_mlp(X[:400], y[:400], X[400:], y[400:], b, epochs, lr, seed=seed)``.

    Returns ``{b: {"test_accuracy": float, "updates": int, "seconds": float}}``,
    ``seconds`` the wall time of that ``train_mlp`` call.
    """
    # BEGIN SOLUTION
    X, y = gaussian_mixture(500, 12, 1.0, seed)
    results = {}
    for batch_size in batch_sizes:
        start = time.perf_counter()
        run = train_mlp(X[:400], y[:400], X[400:], y[400:], int(batch_size), epochs, lr, seed=seed)
        seconds = time.perf_counter() - start
        results[int(batch_size)] = {"test_accuracy": run["test_accuracy"], "updates": run["updates"], "seconds": seconds}
    return results
    # END SOLUTION


# --------------------------------------------------------------------------- L1 vs L2


def l1_vs_l2(X, y, reg, steps=500, lr=0.1):
    """Full-batch logistic regression (no bias) from w = 0, with an L1 and with an L2 penalty.

    Both minimise the mean binary cross-entropy of ``sigmoid(X @ w)`` against ``y``:
    - L1 by proximal gradient: a gradient step ``z = w - lr * grad(mean BCE)``, then
      soft-thresholding ``w = sign(z) * max(|z| - lr * reg, 0)``;
    - L2 by gradient descent on ``mean BCE + 0.5 * reg * sum(w ** 2)``;
    each ``steps`` steps of size ``lr``.

    Inputs: X (n, d), y (n,) labels 0/1, reg >= 0.
    Returns ``(w_l1, w_l2)``, each of shape (d,).
    """
    # BEGIN SOLUTION
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape

    def bce_gradient(w):
        return X.T @ (_sigmoid(X @ w) - y) / n

    w_l1 = np.zeros(d)
    w_l2 = np.zeros(d)
    for _ in range(steps):
        z = w_l1 - lr * bce_gradient(w_l1)
        w_l1 = np.sign(z) * np.maximum(np.abs(z) - lr * reg, 0.0)
        w_l2 = w_l2 - lr * (bce_gradient(w_l2) + reg * w_l2)
    return w_l1, w_l2
    # END SOLUTION


def _sigmoid(z):
    """Numerically stable logistic function (a helper you may use)."""
    out = np.empty_like(z, dtype=np.float64)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    e = np.exp(z[~positive])
    out[~positive] = e / (1.0 + e)
    return out


# --------------------------------------------------------------------------- signals and gradients through depth


def activation_std_by_layer(init, activation, depth=10, width=256, n=1000, seed=0):
    """Push N(0, 1) inputs through ``depth`` layers ``h = act(h @ W)`` (no biases); std per layer.

    Inputs:
    - init: how each ``W`` of shape (width, width) is drawn: ``"zeros"``;
      ``"normal_0.01"`` N(0, 0.01**2); ``"xavier"`` normal with std
      ``sqrt(2 / (fan_in + fan_out))``; ``"kaiming"`` normal with std ``sqrt(2 / fan_in)``.
    - activation: ``"tanh"`` or ``"relu"``.
    - depth, width: the network; n: how many inputs, shape (n, width).
    - seed: ``numpy.random.default_rng(seed)`` draws the inputs and the weights.

    Returns an array of shape (depth,): entry ``l`` is the std of layer ``l``'s
    output over all ``n * width`` values (layer 0 first).
    """
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    act = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0)}[activation]
    h = rng.standard_normal((n, width))
    stds = np.empty(depth)
    for layer in range(depth):
        h = act(h @ _init_weight(init, width, width, rng))
        stds[layer] = h.std()
    return stds
    # END SOLUTION


def _init_weight(init, fan_in, fan_out, rng):
    """A (fan_in, fan_out) weight drawn by ``init`` (a helper you may use or replace)."""
    if init == "zeros":
        return np.zeros((fan_in, fan_out))
    std = {"normal_0.01": 0.01, "xavier": np.sqrt(2.0 / (fan_in + fan_out)), "kaiming": np.sqrt(2.0 / fan_in)}[init]
    return rng.normal(0.0, std, size=(fan_in, fan_out))


def gradient_norm_by_layer(activation, depth=20, width=64, residual=False, seed=0):
    """The Frobenius norm of each layer's weight gradient in a deep network (layer 0 first).

    A batch of 128 inputs N(0, 1) of shape (128, width) goes through ``depth``
    layers ``h = act(h @ W_l)``, or ``h = h + act(h @ W_l)`` when ``residual``;
    ``W_l`` (width, width) is xavier normal for ``"sigmoid"`` and ``"tanh"``, kaiming
    normal for ``"relu"``; the loss is ``0.5 * mean(h_L ** 2)`` over all entries of
    the last layer's output. ``numpy.random.default_rng(seed)`` draws inputs and weights.

    Returns an array of shape (depth,): ``||dloss / dW_l||_F`` for l = 0 .. depth - 1.
    """
    # BEGIN SOLUTION
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
    dh = h / h.size  # d(0.5 * mean(h ** 2)) / dh
    norms = np.empty(depth)
    for layer in reversed(range(depth)):
        dz = dh * act_grad(outputs[layer])
        norms[layer] = np.linalg.norm(inputs[layer].T @ dz)
        dinput = dz @ weights[layer].T
        dh = dh + dinput if residual else dinput
    return norms
    # END SOLUTION


# --------------------------------------------------------------------------- dropout before batch norm


def dropout_variance(mean, var, p):
    """Variance of a unit's output under inverted dropout, in closed form.

    The unit's input has mean ``mean`` and variance ``var``; inverted dropout with
    drop probability ``p`` (0 <= p < 1) multiplies it by ``mask / (1 - p)``,
    ``mask`` ~ Bernoulli(1 - p), in training, and leaves it alone at test time.

    Returns ``(train_var, test_var)``, floats.
    """
    # BEGIN SOLUTION
    keep = 1.0 - p
    train_var = (var + mean**2) / keep - mean**2
    return float(train_var), float(var)
    # END SOLUTION


def simulate_dropout_variance(mean, var, p, n, seed=0):
    """``dropout_variance`` measured: ``n`` samples N(mean, var) through a real inverted-dropout mask.

    ``numpy.random.default_rng(seed)`` draws the samples and the mask.
    Returns ``(train_var, test_var)``: the variance of the training-mode outputs and
    of the test-mode outputs, floats.
    """
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    x = rng.normal(mean, np.sqrt(var), size=n)
    mask = rng.random(n) >= p
    train = x * mask / (1.0 - p)
    return float(train.var()), float(x.var())
    # END SOLUTION


# --------------------------------------------------------------------------- checkerboard artefacts


def checkerboard_counts(kernel, stride, in_size):
    """How many (input pixel, kernel tap) pairs land on each output pixel of a transposed convolution.

    For an ``in_size x in_size`` input, a ``kernel x kernel`` kernel and that
    stride (no padding), the output is ``out x out`` with
    ``out = (in_size - 1) * stride + kernel``.

    Returns an int array of shape (out, out) (equal to ``conv_transpose2d`` of
    ones with ones).
    """
    # BEGIN SOLUTION
    out = (in_size - 1) * stride + kernel
    per_axis = np.zeros(out, dtype=np.int64)
    for i in range(in_size):
        per_axis[i * stride:i * stride + kernel] += 1
    return np.outer(per_axis, per_axis)
    # END SOLUTION


def has_checkerboard(kernel, stride):
    """Whether that transposed convolution overlaps unevenly (Odena et al. 2016).

    True iff the interior counts are not constant, i.e. ``kernel % stride != 0``
    (a kernel smaller than the stride leaves gaps, which is uneven too).
    Returns a bool.
    """
    # BEGIN SOLUTION
    return bool(kernel % stride != 0)
    # END SOLUTION


# --------------------------------------------------------------------------- class imbalance


def imbalance_study(minority_fraction=0.05, seed=0):
    """Logistic regression on an imbalanced 2-D problem: plainly, with class weights, oversampled.

    Two overlapping 2-D Gaussian classes; the minority (label 1) is
    ``minority_fraction`` of the samples. Three classifiers are trained on the same
    training set: plainly (``"none"``), with balanced class weights
    (``"weighted"``), and on a set where the minority is resampled with
    replacement up to the majority's size (``"oversampled"``). Each is measured on
    a held-out set drawn like the training set.

    Returns ``{"none" | "weighted" | "oversampled": {"accuracy": float, "minority_recall": float}}``.
    """
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    X_train, y_train = _imbalanced_set(2000, minority_fraction, rng)
    X_test, y_test = _imbalanced_set(2000, minority_fraction, rng)
    minority = np.flatnonzero(y_train == 1)
    majority = np.flatnonzero(y_train == 0)
    extra = rng.choice(minority, size=max(len(majority) - len(minority), 0), replace=True)
    oversampled = np.concatenate([np.arange(len(y_train)), extra])
    models = {
        "none": LogisticRegression().fit(X_train, y_train),
        "weighted": LogisticRegression(class_weight="balanced").fit(X_train, y_train),
        "oversampled": LogisticRegression().fit(X_train[oversampled], y_train[oversampled]),
    }
    results = {}
    for name, model in models.items():
        predicted = model.predict(X_test)
        results[name] = {
            "accuracy": float(np.mean(predicted == y_test)),
            "minority_recall": float(np.mean(predicted[y_test == 1] == 1)),
        }
    return results
    # END SOLUTION


def _imbalanced_set(n, minority_fraction, rng):
    """``n`` samples: the majority N((0, 0), I) label 0, the minority N((1.5, 1.5), I) label 1."""
    n_minority = max(int(round(n * minority_fraction)), 1)
    y = np.zeros(n, dtype=np.int64)
    y[:n_minority] = 1
    X = rng.standard_normal((n, 2)) + 1.5 * y[:, None]
    order = rng.permutation(n)
    return X[order], y[order]


# --------------------------------------------------------------------------- capacity


def polynomial_fit_errors(x_train, y_train, x_test, y_test, degrees):
    """Least-squares polynomial fits of each degree: training and test mean squared error.

    Fit as ``numpy.polynomial.Polynomial.fit(x_train, y_train, degree)`` does (the
    training inputs' range mapped to [-1, 1]).

    Inputs: x_train, y_train (n,); x_test, y_test (m,); degrees: a sequence of ints.
    Returns ``(train_mse, test_mse)``, float arrays of shape (len(degrees),).
    """
    # BEGIN SOLUTION
    train_mse, test_mse = [], []
    for degree in degrees:
        fitted = Polynomial.fit(x_train, y_train, int(degree))
        train_mse.append(np.mean((fitted(x_train) - y_train) ** 2))
        test_mse.append(np.mean((fitted(x_test) - y_test) ** 2))
    return np.array(train_mse), np.array(test_mse)
    # END SOLUTION


# --------------------------------------------------------------------------- dimensionality reduction


def pca(X, k):
    """Principal component analysis, as ``sklearn.decomposition.PCA(k)`` (the data centred).

    Inputs: X (n, D), k <= min(n, D).
    Returns ``(components, explained_variance_ratio)``: (k, D) unit rows, largest
    variance first (the sign of each row is free), and (k,).
    """
    # BEGIN SOLUTION
    X = np.asarray(X, dtype=np.float64)
    centred = X - X.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    variance = singular**2
    return vt[:k], variance[:k] / variance.sum()
    # END SOLUTION


def pca_can_hurt(seed=0):
    """A 2-D two-class set whose classes differ only along the low-variance direction.

    A linear classifier is trained on both features and on the first principal
    component (PCA fitted on the training set, without the labels), and measured
    on a held-out set drawn the same way.

    Returns ``(accuracy_raw, accuracy_pca1)``, floats.
    """
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, np.pi)
    noise = np.array([np.cos(angle), np.sin(angle)])  # high variance, no signal
    signal = np.array([-noise[1], noise[0]])           # low variance, all the signal
    X_train, y_train = _low_variance_signal(1000, noise, signal, rng)
    X_test, y_test = _low_variance_signal(1000, noise, signal, rng)
    raw = LogisticRegression().fit(X_train, y_train)
    accuracy_raw = float(np.mean(raw.predict(X_test) == y_test))
    components, _ = pca(X_train, 1)
    mean = X_train.mean(axis=0)
    reduced = LogisticRegression().fit((X_train - mean) @ components.T, y_train)
    accuracy_pca1 = float(np.mean(reduced.predict((X_test - mean) @ components.T) == y_test))
    return accuracy_raw, accuracy_pca1
    # END SOLUTION


def _low_variance_signal(n, noise, signal, rng):
    """``n`` samples, labels 0/1: along the unit vector ``noise`` the features have std 5 and
    carry no signal; along the orthogonal ``signal`` the classes sit at -1 and +1 with std 0.5."""
    y = rng.integers(0, 2, size=n)
    along_noise = 5.0 * rng.standard_normal(n)
    along_signal = (2.0 * y - 1.0) + 0.5 * rng.standard_normal(n)
    return along_noise[:, None] * noise + along_signal[:, None] * signal, y


# --------------------------------------------------------------------------- GAN mode collapse


def ring_of_gaussians(n, modes=8, radius=2.0, std=0.02, seed=0):
    """The toy GAN data set: ``n`` samples from ``modes`` Gaussians on a circle.

    Centre ``k`` is ``radius * (cos(2 pi k / modes), sin(2 pi k / modes))``; each
    sample picks a centre uniformly at random and adds N(0, std**2 I).
    ``numpy.random.default_rng(seed)`` draws everything.

    Returns an array of shape (n, 2).
    """
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    which = rng.integers(0, modes, size=n)
    return _ring_centres(modes, radius)[which] + std * rng.standard_normal((n, 2))
    # END SOLUTION


def _ring_centres(modes, radius):
    """(modes, 2): centre k at radius * (cos 2 pi k / modes, sin 2 pi k / modes)."""
    angles = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def mode_coverage(samples, modes=8, radius=2.0, std=0.02):
    """How many of the ring's modes a generator covers, and how good its samples are.

    A sample is high quality when it lies within ``3 * std`` of a centre; it then
    counts for its nearest centre. A mode is hit when it has at least
    ``0.01 * len(samples)`` high-quality samples.

    Inputs: samples (n, 2).
    Returns ``(modes_hit, high_quality_fraction)``: an int and a float.
    """
    # BEGIN SOLUTION
    samples = np.asarray(samples, dtype=np.float64)
    centres = _ring_centres(modes, radius)
    distances = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=2)
    nearest = distances.argmin(axis=1)
    high_quality = distances.min(axis=1) <= 3 * std
    counts = np.bincount(nearest[high_quality], minlength=modes)
    modes_hit = int(np.sum(counts >= 0.01 * len(samples)))
    return modes_hit, float(np.mean(high_quality))
    # END SOLUTION
