# task: sigmoid_tanh
# Sigmoid as exp(x) / (1 + exp(x)): exp overflows for large positive x and gives inf/inf = nan.
# hint: sigmoid_exp_overflow
def sigmoid_forward(x):
    e = np.exp(x)
    out = e / (1 + e)
    return out, out
