# task: relu
# ReLU backward gates with x >= 0: the gradient at exactly 0 is 1 instead of API.md's 0.
# hint: relu_gradient_one_at_zero
def relu_backward(dout, cache):
    x = cache
    return dout * (x >= 0)
