# task: batch_size
# claim: smaller_batches_generalise_better
# Gives every batch size about as many updates as batch size 1 gets (epochs * b epochs for batch
# size b): not the notes' study, which fixes the number of epochs.
def batch_size_study(batch_sizes, epochs=20, lr=0.05, seed=0):
    X, y = gaussian_mixture(500, 12, 1.0, seed)
    results = {}
    for batch_size in batch_sizes:
        start = time.perf_counter()
        run = train_mlp(X[:400], y[:400], X[400:], y[400:], int(batch_size), epochs * int(batch_size), lr, seed=seed)
        results[int(batch_size)] = {"test_accuracy": run["test_accuracy"], "updates": run["updates"],
                                    "seconds": time.perf_counter() - start}
    return results
