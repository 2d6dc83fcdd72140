# task: capacity
# Builds the design matrix with np.vander(u, degree) on the inputs mapped to [-1, 1]: that has
# degree columns (powers 0 .. degree - 1), one short, so every fit is of degree d - 1 (degree 0: no column, the fit is 0).
# hint: polynomial_degree_one_short
def polynomial_fit_errors(x_train, y_train, x_test, y_test, degrees):
    x_train, x_test = np.asarray(x_train, dtype=np.float64), np.asarray(x_test, dtype=np.float64)
    low, high = x_train.min(), x_train.max()

    def to_window(x):
        return (2.0 * x - low - high) / (high - low)

    train_mse, test_mse = [], []
    for degree in degrees:
        V = np.vander(to_window(x_train), int(degree))
        coefficients = np.linalg.lstsq(V, y_train, rcond=None)[0]
        train_mse.append(np.mean((V @ coefficients - y_train) ** 2))
        test_mse.append(np.mean((np.vander(to_window(x_test), int(degree)) @ coefficients - y_test) ** 2))
    return np.array(train_mse), np.array(test_mse)
