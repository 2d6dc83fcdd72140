# task: capacity
# Reports the training error as the test error too (evaluates the fit on x_train twice).
def polynomial_fit_errors(x_train, y_train, x_test, y_test, degrees):
    train_mse = []
    for degree in degrees:
        fitted = Polynomial.fit(x_train, y_train, int(degree))
        train_mse.append(np.mean((fitted(x_train) - y_train) ** 2))
    return np.array(train_mse), np.array(train_mse)
