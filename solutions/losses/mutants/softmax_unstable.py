# task: softmax_ce
# Softmax without subtracting the row maximum: exp overflows (inf / inf = nan) at |logits| ~ 1e4.
def softmax(logits):
    exp = np.exp(logits)
    return exp / np.sum(exp, axis=1, keepdims=True)
