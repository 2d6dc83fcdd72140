# task: affine
# Returns dx in the flattened (N, D) shape instead of x's own shape (N, d1, ..., dk).
# hint: affine_dx_flattened
def affine_backward(dout, cache):
    x, w, b = cache
    x_flat = x.reshape(x.shape[0], -1)
    return dout @ w.T, x_flat.T @ dout, dout.sum(axis=0)
