# task: softmax_ce
# Softmax without subtracting the row maximum: exp overflows (inf / inf = nan) at |logits| ~ 1e4.
# hint: softmax_no_max_shift
def softmax(logits):
    exp = np.exp(logits)
    return exp / np.sum(exp, axis=1, keepdims=True)
