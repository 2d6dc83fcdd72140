# task: two_layer_net
# L2 penalty reg * (|W1|^2 + |W2|^2) without the 0.5, with gradients 2 * reg * W.
# hint: net_l2_penalty_without_half
_reference_two_layer_net_loss = two_layer_net_loss


def two_layer_net_loss(params, X, y=None, reg=0.0):
    result = _reference_two_layer_net_loss(params, X, y, 0.0)
    if y is None:
        return result
    loss, grads = result
    W1, W2 = params["W1"], params["W2"]
    loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    grads["W1"] = grads["W1"] + 2 * reg * W1
    grads["W2"] = grads["W2"] + 2 * reg * W2
    return loss, grads
