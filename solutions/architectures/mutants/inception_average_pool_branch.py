# task: inception
# The pooling branch averages (AvgPool2d(3, 1, 1)) instead of taking the max: same keys, other values.
# hint: inception_average_pool
class InceptionModule(InceptionModule):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__(in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj)
        self.branch4[0] = nn.AvgPool2d(3, stride=1, padding=1)
