# task: inception
# Builds each branch's Sequential from the convolutions (and the pool) only and applies the ReLUs in forward:
# the same computation, but the Sequential indices shift (branch2.1 instead of branch2.2, ...), so the
# state-dict names are not API.md's (torchvision's) and a strict load fails.
# hint: inception_relu_outside_sequential
class InceptionModule(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = nn.Sequential(nn.Conv2d(in_channels, ch1x1, 1))
        self.branch2 = nn.Sequential(nn.Conv2d(in_channels, ch3x3red, 1), nn.Conv2d(ch3x3red, ch3x3, 3, padding=1))
        self.branch3 = nn.Sequential(nn.Conv2d(in_channels, ch5x5red, 1), nn.Conv2d(ch5x5red, ch5x5, 5, padding=2))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(in_channels, pool_proj, 1))

    def forward(self, x):
        b1 = F.relu(self.branch1[0](x))
        b2 = F.relu(self.branch2[1](F.relu(self.branch2[0](x))))
        b3 = F.relu(self.branch3[1](F.relu(self.branch3[0](x))))
        b4 = F.relu(self.branch4[1](self.branch4[0](x)))
        return torch.cat([b1, b2, b3, b4], dim=1)
