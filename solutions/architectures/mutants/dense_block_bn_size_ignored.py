# task: dense_block
# Hard-codes DenseNet-BC's bottleneck factor 4 (the inner width 4 * growth_rate) and ignores bn_size.
class DenseBlock(DenseBlock):
    def __init__(self, in_channels, growth_rate, num_layers, bn_size=4):
        super().__init__(in_channels, growth_rate, num_layers, 4)
