# task: depthwise_separable
# Puts the stride on the 1x1 pointwise convolution instead of the 3x3 depthwise one: the same output size,
# but the pointwise convolution then skips three quarters of the depthwise outputs it was given.
class DepthwiseSeparableConv(DepthwiseSeparableConv):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.depthwise = nn.Conv2d(in_channels, in_channels, 3, stride=1, padding=1, groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)
