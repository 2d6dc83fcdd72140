# task: affine
# dw computed as dout.T @ x_flat: the transpose of the right gradient, shaped (M, D).
# hint: affine_dw_transposed
def affine_backward(dout, cache):
    x, w, b = cache
    x_flat = x.reshape(x.shape[0], -1)
    return (dout @ w.T).reshape(x.shape), dout.T @ x_flat, dout.sum(axis=0)
