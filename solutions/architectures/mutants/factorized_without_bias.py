# task: factorized
# Applies "convolutions have bias=False" everywhere: Factorized7x7 has no batch norm, so its convolutions
# keep their biases (API.md), and a state dict with conv1x7.bias and conv7x1.bias does not load.
# hint: no_bias_without_batch_norm
class Factorized7x7(Factorized7x7):
    def __init__(self, in_channels, mid_channels, out_channels):
        super().__init__(in_channels, mid_channels, out_channels)
        self.conv1x7 = nn.Conv2d(in_channels, mid_channels, kernel_size=(1, 7), padding=(0, 3), bias=False)
        self.conv7x1 = nn.Conv2d(mid_channels, out_channels, kernel_size=(7, 1), padding=(3, 0), bias=False)
