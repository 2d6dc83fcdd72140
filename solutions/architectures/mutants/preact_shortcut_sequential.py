# task: preact_block
# Wraps the projection shortcut in an nn.Sequential, as BasicBlock's downsample is: the key becomes
# shortcut.0.weight instead of API.md's shortcut.weight (a bare Conv2d).
class PreActBlock(PreActBlock):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        if self.shortcut is not None:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False))
