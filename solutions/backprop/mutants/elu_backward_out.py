# task: elu
# For x <= 0 uses alpha*(exp(x)-1) = out as the derivative; it is alpha*exp(x) = out + alpha.
# hint: elu_backward_used_out
def elu_backward(dout, cache):
    x, out, alpha = cache
    return np.where(x > 0, dout, dout * out)
