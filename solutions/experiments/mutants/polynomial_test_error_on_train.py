# task: capacity
# Copies the training-error line for the test error and forgets to change the data: the "test" error is
# measured on the training points (it falls with the degree, like the training error).
# hint: test_error_on_training_points
def polynomial_fit_errors(x_train, y_train, x_test, y_test, degrees):
    train_mse, test_mse = [], []
    for degree in degrees:
        fitted = Polynomial.fit(x_train, y_train, int(degree))
        train_mse.append(np.mean((fitted(x_train) - y_train) ** 2))
        test_mse.append(np.mean((fitted(x_train) - y_train) ** 2))
    return np.array(train_mse), np.array(test_mse)
