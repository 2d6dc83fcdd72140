# task: imbalance
# Weights the minority by 1 / minority_fraction and the majority by 1 (the argument, not the
# balanced n / (2 n_c) of the training set): with balanced classes the minority still gets twice the weight.
def imbalance_study(minority_fraction=0.05, seed=0):
    rng = np.random.default_rng(seed)
    X_train, y_train = _imbalanced_set(2000, minority_fraction, rng)
    X_test, y_test = _imbalanced_set(2000, minority_fraction, rng)
    minority = np.flatnonzero(y_train == 1)
    majority = np.flatnonzero(y_train == 0)
    extra = rng.choice(minority, size=max(len(majority) - len(minority), 0), replace=True)
    oversampled = np.concatenate([np.arange(len(y_train)), extra])
    models = {
        "none": LogisticRegression().fit(X_train, y_train),
        "weighted": LogisticRegression(class_weight={0: 1.0, 1: 1.0 / minority_fraction}).fit(X_train, y_train),
        "oversampled": LogisticRegression().fit(X_train[oversampled], y_train[oversampled]),
    }
    results = {}
    for name, model in models.items():
        predicted = model.predict(X_test)
        results[name] = {"accuracy": float(np.mean(predicted == y_test)),
                         "minority_recall": float(np.mean(predicted[y_test == 1] == 1))}
    return results
