# task: affine
# Forgets the bias in the forward pass: out = x_flat @ w.
# hint: affine_no_bias
def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w
    return out, (x, w, b)
