# task: sigmoid_tanh
# The textbook 1 / (1 + exp(-x)): right values (inf in the denominator gives 0), but exp
# overflows for x < -709 and floods the output with RuntimeWarnings, which API.md rules out.
def sigmoid_forward(x):
    out = 1.0 / (1.0 + np.exp(-x))
    return out, out
