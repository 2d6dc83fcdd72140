# task: capacity
# Solves the normal equations (V^T V) c = V^T y on the raw powers of x in [0, 10], without
# mapping x to [-1, 1]: V^T V of degree 15 is numerically singular and high degrees come out wrong.
def polynomial_fit_errors(x_train, y_train, x_test, y_test, degrees):
    x_train, x_test = np.asarray(x_train, dtype=np.float64), np.asarray(x_test, dtype=np.float64)
    train_mse, test_mse = [], []
    for degree in degrees:
        V = np.vander(x_train, int(degree) + 1)
        coefficients = np.linalg.lstsq(V.T @ V, V.T @ y_train, rcond=None)[0]
        train_mse.append(np.mean((V @ coefficients - y_train) ** 2))
        test_mse.append(np.mean((np.vander(x_test, int(degree) + 1) @ coefficients - y_test) ** 2))
    return np.array(train_mse), np.array(test_mse)
