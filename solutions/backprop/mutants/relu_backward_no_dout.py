# task: relu
# ReLU backward returns the local derivative (x > 0) and forgets to multiply by dout.
# hint: backward_without_dout
def relu_backward(dout, cache):
    x = cache
    return (x > 0).astype(float)
