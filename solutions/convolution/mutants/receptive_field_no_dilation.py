# task: receptive_field
# Ignores the dilation entry of (kernel, stride, dilation) layers.
# hint: ignored_dilation
def receptive_field(layers):
    field, jump = 1, 1
    for layer in layers:
        kernel, stride = layer[0], layer[1]
        field += (kernel - 1) * jump
        jump *= stride
    return field
