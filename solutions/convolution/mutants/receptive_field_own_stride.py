# task: receptive_field
# Multiplies the jump by a layer's own stride before adding its kernel (only earlier strides count).
# hint: own_stride
def receptive_field(layers):
    field, jump = 1, 1
    for layer in layers:
        kernel, stride = layer[0], layer[1]
        dilation = layer[2] if len(layer) > 2 else 1
        jump *= stride
        field += (dilation * (kernel - 1)) * jump
    return field
