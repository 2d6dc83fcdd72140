# task: bottleneck
# Rounds the width after multiplying by groups, int(planes * base_width / 64 * groups), instead of
# torchvision's int(planes * base_width / 64) * groups: the same whenever planes * base_width / 64 is whole.
# (No hint: the late width is not a multiple of groups there, so conv2 cannot be built, and the test sees
# only that construction raised.)
class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, in_channels, planes, stride=1, groups=1, base_width=64):
        super().__init__()
        width = int(planes * base_width / 64 * groups)
        out_channels = planes * 4
        self.conv1 = nn.Conv2d(in_channels, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                            nn.BatchNorm2d(out_channels))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)) + identity)
