# task: basic_block
# Leaves nn.Conv2d's default bias=True on every convolution, including the shortcut's: extra keys
# conv1.bias, conv2.bias (downsample.0.bias), so strict loading of a torchvision state dict fails. The
# batch norm after each convolution cancels a bias, so the computation itself is right.
# hint: conv_bias_before_batch_norm
class BasicBlock(BasicBlock):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=1, padding=1)
        if self.downsample is not None:
            self.downsample[0] = nn.Conv2d(in_channels, out_channels, 1, stride=stride)
