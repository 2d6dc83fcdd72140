# task: bce_logits
# pos_weight multiplies the whole elementwise loss, negatives included, instead of the positive term only.
# hint: pos_weight_on_whole_loss
def bce_with_logits(logits, targets, pos_weight=None):
    pw = 1.0 if pos_weight is None else pos_weight
    elementwise = -(targets * log_sigmoid(logits) + (1 - targets) * log_sigmoid(-logits))
    return np.mean(pw * elementwise), pw * (sigmoid(logits) - targets) / logits.size
