# task: basic_block
# The projection shortcut is a bare 1x1 convolution, without its batch norm (downsample.1.* missing):
# a torchvision state dict does not load, and the shortcut is not normalised like the residual branch.
# hint: downsample_without_bn
class BasicBlock(BasicBlock):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        if self.downsample is not None:
            self.downsample = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False))
