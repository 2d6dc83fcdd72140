# task: basic_block
# Puts the stride on the second 3x3 convolution instead of the first: same output shape, other values
# (and four times the work in conv1).
# hint: basic_stride_on_conv2
class BasicBlock(BasicBlock):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=1, padding=1, bias=False)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=stride, padding=1, bias=False)
