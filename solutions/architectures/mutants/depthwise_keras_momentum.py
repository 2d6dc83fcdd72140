# task: depthwise_separable
# Keras's batch-norm momentum (0.99, the weight of the old value) passed to torch, whose momentum is the
# weight of the new value (default 0.1): the running statistics jump to each batch's.
# hint: keras_momentum
class DepthwiseSeparableConv(DepthwiseSeparableConv):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.bn1 = nn.BatchNorm2d(in_channels, momentum=0.99)
        self.bn2 = nn.BatchNorm2d(out_channels, momentum=0.99)
