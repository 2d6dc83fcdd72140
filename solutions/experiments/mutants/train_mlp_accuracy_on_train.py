# task: train_mlp
# Measures "test_accuracy" on the training set (X_train, y_train) instead of the test set.
# hint: train_accuracy_on_train
_reference_train_mlp = train_mlp


def train_mlp(X_train, y_train, X_test, y_test, batch_size, epochs, lr, seed=0, hidden=32):
    return _reference_train_mlp(X_train, y_train, X_train, y_train, batch_size, epochs, lr, seed=seed, hidden=hidden)
