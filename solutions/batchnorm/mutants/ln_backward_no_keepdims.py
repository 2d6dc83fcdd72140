# task: layernorm
# Backward sums over the features without keepdims, so the per-sample sums broadcast along the wrong axis
# (only square inputs would even run; otherwise a shape error). Forward is correct.
def layernorm_backward(dout, cache):
    xhat, gamma, inv_std = cache
    D = dout.shape[1]
    g = dout * gamma
    dx = (inv_std / D) * (D * g - g.sum(axis=1)[None, :] - xhat * (g * xhat).sum(axis=1)[None, :])
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
