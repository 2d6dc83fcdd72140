# task: affine
# Averages dout over the batch for db instead of summing (an extra 1/N).
# hint: affine_db_averaged
def affine_backward(dout, cache):
    x, w, b = cache
    x_flat = x.reshape(x.shape[0], -1)
    return (dout @ w.T).reshape(x.shape), x_flat.T @ dout, dout.mean(axis=0)
