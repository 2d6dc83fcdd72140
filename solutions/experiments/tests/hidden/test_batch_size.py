"""Hidden tests: the notes' batch-size study (gaussian_mixture, train_mlp, batch_size_study).

Mechanics: the mixture's moments within sampling error (6 standard errors per
statistic, about 30 statistics: a correct submission fails with probability
below 1e-7); train_mlp against torch's own loop with the contract's shuffling
(exact update counts, losses to float32 rounding); batch_size_study against the
submission's own gaussian_mixture and train_mlp. Claim: at a fixed number of
epochs (2) and the default learning rate, batch 1 beats batch 400 on test
accuracy, in more updates and more time (graded on the majority of 5 seeds).
"""

import math

import numpy as np
import pytest
import torch

from autograder.claims import Verdict, claim
from autograder.testing import assert_close, assert_scalar_close


def _entry(result, key, what):
    """``result[key]`` of a returned dict, or a clear failure."""
    if not isinstance(result, dict):
        raise AssertionError(f"{what}: expected a dict, got {type(result).__name__}")
    if key not in result:
        raise AssertionError(f"{what}: no key {key!r} (keys: {sorted(map(str, result))[:10]})")
    return result[key]


# --------------------------------------------------------------------------- gaussian_mixture


@pytest.mark.task("mixture")
def test_mixture_shapes_labels_and_seed(submission, rng):
    """(X, y): float64 (n, dim) and int64 (n,), exactly n/2 of each label, shuffled, the same for the same seed."""
    n, dim, seed = 2 * int(rng.integers(100, 200)), int(rng.integers(2, 13)), int(rng.integers(0, 2**31 - 1))
    X, y = submission.gaussian_mixture(n, dim, float(rng.uniform(0.5, 3.0)), seed)
    X, y = np.asarray(X), np.asarray(y)
    assert X.shape == (n, dim), f"X: shape {X.shape}, expected (n, dim) = {(n, dim)}"
    assert y.shape == (n,), f"y: shape {y.shape}, expected (n,) = {(n,)}"
    assert X.dtype == np.float64, f"X: dtype {X.dtype}, expected float64"
    assert y.dtype == np.int64, f"y: dtype {y.dtype}, expected int64"
    assert set(np.unique(y).tolist()) <= {0, 1}, "y: labels must be 0 and 1"
    assert int(np.sum(y == 1)) == n // 2, f"y: {int(np.sum(y == 1))} samples of label 1, expected exactly n/2 = {n // 2}"
    first_half_ones = float(np.mean(y[: n // 2] == 1))
    assert 0.2 < first_half_ones < 0.8, (f"the rows are not shuffled: {100 * first_half_ones:.0f}% of the first half has label 1 "
                                         "(expected about 50%)")
    X2, y2 = submission.gaussian_mixture(n, dim, float(rng.uniform(0.5, 3.0)), seed + 1)
    assert not np.array_equal(np.asarray(y2), y) or not np.allclose(np.asarray(X2), X), "a different seed gave the same data"
    X3, y3 = submission.gaussian_mixture(n, dim, 1.0, seed)
    assert_close(y3, y, name="y with the same seed", rtol=0, atol=0)


@pytest.mark.task("mixture")
def test_mixture_moments(submission, rng):
    """Class 0 ~ N(0, I), class 1 ~ N(separation * ones, I): means and within-class covariance within 6 standard errors."""
    n, dim, separation = 6000, int(rng.integers(3, 7)), float(rng.uniform(0.5, 2.5))
    X, y = submission.gaussian_mixture(n, dim, separation, int(rng.integers(0, 2**31 - 1)))
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    half = n // 2
    se_mean = 1 / math.sqrt(half)
    assert_close(X[y == 0].mean(axis=0), np.zeros(dim), name="mean of class 0", rtol=0, atol=6 * se_mean)
    assert_close(X[y == 1].mean(axis=0), np.full(dim, separation), name="mean of class 1", rtol=0, atol=6 * se_mean,
                 hints={"mixture_shift_first_coordinate": np.eye(dim)[0] * separation})
    centred = np.where((y == 1)[:, None], X - X[y == 1].mean(axis=0), X - X[y == 0].mean(axis=0))
    covariance = centred.T @ centred / n
    assert_close(covariance, np.eye(dim), name="within-class covariance", rtol=0, atol=6 * math.sqrt(2 / n))


# --------------------------------------------------------------------------- train_mlp


def _oracle_train(X_train, y_train, X_test, y_test, batch_size, epochs, lr, seed, hidden, reshuffle=True):
    """The contract's loop, written out: torch.manual_seed, two Linear layers, randperm from a Generator."""
    torch.manual_seed(seed)
    first = torch.nn.Linear(X_train.shape[1], hidden)
    second = torch.nn.Linear(hidden, 1)
    parameters = list(first.parameters()) + list(second.parameters())
    optimizer = torch.optim.SGD(parameters, lr=lr)
    x = torch.tensor(X_train, dtype=torch.float32)
    t = torch.tensor(y_train, dtype=torch.float32)
    generator = torch.Generator().manual_seed(seed)
    n = len(x)
    losses, updates = [], 0
    perm = torch.randperm(n, generator=generator)
    for epoch in range(epochs):
        if reshuffle and epoch > 0:
            perm = torch.randperm(n, generator=generator)
        batch_losses = []
        for i in range(math.ceil(n / batch_size)):
            index = perm[i * batch_size:(i + 1) * batch_size]
            logits = second(torch.relu(first(x[index]))).reshape(-1)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, t[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            batch_losses.append(float(loss))
            updates += 1
        losses.append(sum(batch_losses) / len(batch_losses))

    def accuracy(X, y):
        with torch.no_grad():
            logits = second(torch.relu(first(torch.tensor(X, dtype=torch.float32)))).reshape(-1).numpy()
        return float(np.mean((logits > 0) == (y == 1)))

    return {"test_accuracy": accuracy(X_test, y_test), "train_accuracy": accuracy(X_train, y_train),
            "train_loss": np.array(losses), "updates": updates}


def _small_problem(rng, n, m, dim):
    """A separable-ish problem whose test labels are flipped: test accuracy is far from training accuracy."""
    y = rng.integers(0, 2, size=n + m)
    X = rng.standard_normal((n + m, dim)) + 1.5 * y[:, None]
    y_test = 1 - y[n:]
    return X[:n], y[:n].astype(np.int64), X[n:], y_test.astype(np.int64)


def _check_run(result, expected, no_reshuffle, n, batch_size, epochs, m):
    updates = _entry(result, "updates", "train_mlp's result")
    assert_scalar_close(updates, expected["updates"], name="updates", rtol=0, atol=0,
                        hints={"train_drop_last": epochs * (n // batch_size)})
    train_loss = np.asarray(_entry(result, "train_loss", "train_mlp's result"), dtype=np.float64)
    assert_close(train_loss, expected["train_loss"], name="train_loss (per epoch, the mean of the batch losses)", rtol=2e-4, atol=1e-6,
                 hints={"train_no_reshuffle": no_reshuffle["train_loss"]})
    assert_scalar_close(_entry(result, "test_accuracy", "train_mlp's result"), expected["test_accuracy"], name="test_accuracy",
                        rtol=0, atol=2 / m + 1e-9,
                        hints={"train_accuracy_on_train": expected["train_accuracy"]})


@pytest.mark.task("train_mlp")
def test_train_mlp_follows_the_contract(submission, rng):
    """Updates, per-epoch losses and test accuracy equal torch's loop (a smaller last batch, reshuffled every epoch)."""
    batch_size = int(rng.integers(5, 9))
    n = batch_size * int(rng.integers(4, 7)) + int(rng.integers(1, batch_size))  # a partial last batch
    m, dim, hidden, epochs = 60, int(rng.integers(3, 8)), int(rng.integers(4, 13)), 4
    lr, seed = float(rng.uniform(0.1, 0.3)), int(rng.integers(0, 2**31 - 1))
    X_train, y_train, X_test, y_test = _small_problem(rng, n, m, dim)
    result = submission.train_mlp(X_train.copy(), y_train.copy(), X_test.copy(), y_test.copy(), batch_size, epochs, lr,
                                  seed=seed, hidden=hidden)
    expected = _oracle_train(X_train, y_train, X_test, y_test, batch_size, epochs, lr, seed, hidden)
    no_reshuffle = _oracle_train(X_train, y_train, X_test, y_test, batch_size, epochs, lr, seed, hidden, reshuffle=False)
    _check_run(result, expected, no_reshuffle, n, batch_size, epochs, m)


@pytest.mark.task("train_mlp")
def test_train_mlp_batch_of_one_and_full_batch(submission, rng):
    """Batch size 1 (n updates per epoch) and the whole set (1 per epoch), default hidden width."""
    n, m, dim, seed = int(rng.integers(12, 20)), 40, 4, int(rng.integers(0, 2**31 - 1))
    X_train, y_train, X_test, y_test = _small_problem(rng, n, m, dim)
    for batch_size, epochs in ((1, 2), (n, 5)):
        result = submission.train_mlp(X_train.copy(), y_train.copy(), X_test.copy(), y_test.copy(), batch_size, epochs, 0.1, seed=seed)
        expected = _oracle_train(X_train, y_train, X_test, y_test, batch_size, epochs, 0.1, seed, 32)
        no_reshuffle = _oracle_train(X_train, y_train, X_test, y_test, batch_size, epochs, 0.1, seed, 32, reshuffle=False)
        _check_run(result, expected, no_reshuffle, n, batch_size, epochs, m)


# --------------------------------------------------------------------------- batch_size_study


@pytest.mark.task("batch_size")
def test_study_is_train_mlp_on_the_notes_split(submission, rng):
    """Each entry is train_mlp on gaussian_mixture(500, 12, 1.0, seed): rows 0-399 train, 400-499 test."""
    seed, epochs, lr = int(rng.integers(1, 2**31 - 1)), 2, float(rng.uniform(0.02, 0.1))
    sizes = [int(rng.integers(20, 60)), 400]
    study = submission.batch_size_study(sizes, epochs=epochs, lr=lr, seed=seed)
    assert isinstance(study, dict) and set(study) == set(sizes), (
        f"batch_size_study: expected a dict keyed by the batch sizes {sizes}, got "
        f"{sorted(map(str, study)) if isinstance(study, dict) else type(study).__name__}")
    X, y = submission.gaussian_mixture(500, 12, 1.0, seed)
    X, y = np.asarray(X), np.asarray(y)
    for b in sizes:
        run = submission.train_mlp(X[:400], y[:400], X[400:], y[400:], b, epochs, lr, seed=seed)
        entry = study[b]
        assert_scalar_close(_entry(entry, "updates", f"study[{b}]"), epochs * math.ceil(400 / b), name=f"updates at batch size {b}",
                            rtol=0, atol=0)
        assert_scalar_close(_entry(entry, "test_accuracy", f"study[{b}]"), _entry(run, "test_accuracy", "train_mlp's result"),
                            name=f"test_accuracy at batch size {b} (train_mlp on the first 400 rows, tested on the last 100, "
                                 "with the study's seed, epochs and lr)", rtol=0, atol=1e-12)
        seconds = _entry(entry, "seconds", f"study[{b}]")
        assert isinstance(seconds, (float, np.floating)) and 0 < float(seconds) < 600, (
            f"seconds at batch size {b}: expected the wall time of the train_mlp call in seconds, got {seconds!r}")


@claim(task="batch_size", seeds=5)
def smaller_batches_generalise_better(submission, seed):
    """At a fixed number of epochs (2) and learning rate (0.05), test accuracy at batch size 1 beats batch size 400 by at least 0.05, in more updates and more time."""
    study = submission.batch_size_study([1, 400], epochs=2, lr=0.05, seed=seed)
    one, full = _entry(study, 1, "batch_size_study([1, 400])"), _entry(study, 400, "batch_size_study([1, 400])")
    accuracy = (float(one["test_accuracy"]), float(full["test_accuracy"]))
    updates = (int(one["updates"]), int(full["updates"]))
    seconds = (float(one["seconds"]), float(full["seconds"]))
    holds = accuracy[0] >= accuracy[1] + 0.05 and updates[0] > updates[1] and seconds[0] > seconds[1]
    return Verdict(holds, f"test accuracy {accuracy[0]:.2f} at batch 1 vs {accuracy[1]:.2f} at batch 400; "
                          f"{updates[0]} vs {updates[1]} updates; {seconds[0]:.3f} s vs {seconds[1]:.3f} s")


@pytest.mark.task("batch_size")
def test_claim_smaller_batches_generalise_better(submission, rng):
    """Claim (5 seeds, majority): at fixed epochs and lr, batch 1 reaches a higher test accuracy than batch 400."""
    smaller_batches_generalise_better.check(submission, rng)
