# task: imbalance
# claim: remedies_raise_minority_recall
# Weights each class by its frequency instead of its inverse frequency, and oversamples the
# majority: both "remedies" favour the majority even more.
def imbalance_study(minority_fraction=0.05, seed=0):
    rng = np.random.default_rng(seed)
    X_train, y_train = _imbalanced_set(2000, minority_fraction, rng)
    X_test, y_test = _imbalanced_set(2000, minority_fraction, rng)
    frequency = {c: float(np.mean(y_train == c)) for c in (0, 1)}
    majority = np.flatnonzero(y_train == 0)
    extra = rng.choice(majority, size=len(majority), replace=True)
    oversampled = np.concatenate([np.arange(len(y_train)), extra])
    models = {
        "none": LogisticRegression().fit(X_train, y_train),
        "weighted": LogisticRegression(class_weight=frequency).fit(X_train, y_train),
        "oversampled": LogisticRegression().fit(X_train[oversampled], y_train[oversampled]),
    }
    results = {}
    for name, model in models.items():
        predicted = model.predict(X_test)
        results[name] = {"accuracy": float(np.mean(predicted == y_test)),
                         "minority_recall": float(np.mean(predicted[y_test == 1] == 1))}
    return results
