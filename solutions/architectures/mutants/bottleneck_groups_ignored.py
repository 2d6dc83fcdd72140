# task: bottleneck
# Computes the ResNeXt width but forgets groups= on the 3x3 convolution: a dense 3x3 with `groups` times
# the parameters and MACs, no cardinality at all.
# hint: resnext_groups_ignored
class Bottleneck(Bottleneck):
    def __init__(self, in_channels, planes, stride=1, groups=1, base_width=64):
        super().__init__(in_channels, planes, stride, groups, base_width)
        width = self.conv1.out_channels
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, bias=False)
