# task: bottleneck
# ResNet v1 (the original paper) instead of torchvision's v1.5: the stride sits on the first 1x1
# convolution, which then skips three quarters of the input, instead of on the 3x3.
# hint: bottleneck_stride_on_conv1
class Bottleneck(Bottleneck):
    def __init__(self, in_channels, planes, stride=1, groups=1, base_width=64):
        super().__init__(in_channels, planes, stride, groups, base_width)
        width = self.conv1.out_channels
        self.conv1 = nn.Conv2d(in_channels, width, 1, stride=stride, bias=False)
        self.conv2 = nn.Conv2d(width, width, 3, stride=1, padding=1, groups=groups, bias=False)
