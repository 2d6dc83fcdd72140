# task: batch_size
# Always builds the data with seed 0 (the seed only reaches train_mlp).
def batch_size_study(batch_sizes, epochs=20, lr=0.05, seed=0):
    X, y = gaussian_mixture(500, 12, 1.0)
    results = {}
    for batch_size in batch_sizes:
        start = time.perf_counter()
        run = train_mlp(X[:400], y[:400], X[400:], y[400:], int(batch_size), epochs, lr, seed=seed)
        results[int(batch_size)] = {"test_accuracy": run["test_accuracy"], "updates": run["updates"],
                                    "seconds": time.perf_counter() - start}
    return results
