# task: dense_block
# Each layer sees only the previous layer's output (a plain stack), not the concatenation of everything
# before it; the block still returns the concatenation of all outputs.
# hint: dense_layer_sees_previous_only
class DenseBlock(nn.Module):
    def __init__(self, in_channels, growth_rate, num_layers, bn_size=4):
        super().__init__()
        for i in range(num_layers):
            channels = in_channels if i == 0 else growth_rate
            self.add_module(f"denselayer{i + 1}", nn.Sequential(OrderedDict([
                ("norm1", nn.BatchNorm2d(channels)), ("relu1", nn.ReLU()),
                ("conv1", nn.Conv2d(channels, bn_size * growth_rate, 1, bias=False)),
                ("norm2", nn.BatchNorm2d(bn_size * growth_rate)), ("relu2", nn.ReLU()),
                ("conv2", nn.Conv2d(bn_size * growth_rate, growth_rate, 3, padding=1, bias=False)),
            ])))

    def forward(self, x):
        features = [x]
        for layer in self.children():
            features.append(layer(features[-1]))
        return torch.cat(features, dim=1)
