# task: regularization
# L1 gradient written as reg * w (the L2 gradient) instead of reg * sign(w).
# hint: l1_gradient_is_reg_times_w
def l1_regularization(weights, reg):
    loss = float(reg * sum(np.abs(w).sum() for w in weights.values()))
    return loss, {name: reg * w for name, w in weights.items()}
