# task: relu
# ReLU backward gates on the sign of dout instead of the sign of the forward input x.
# hint: relu_gated_on_dout
def relu_backward(dout, cache):
    return dout * (dout > 0)
