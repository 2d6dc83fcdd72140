# task: depthwise_separable
# The "depthwise" convolution forgets groups=in_channels: an ordinary dense 3x3 convolution, in_channels
# times the parameters and MACs of a depthwise one.
# hint: depthwise_groups_ignored
class DepthwiseSeparableConv(DepthwiseSeparableConv):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.depthwise = nn.Conv2d(in_channels, in_channels, 3, stride=stride, padding=1, bias=False)
