# task: preact_block
# Keeps ResNet v1's ReLU after the sum in the pre-activation block: the identity path is no longer clean,
# which is the whole point of ResNet v2.
# hint: preact_relu_after_sum
class PreActBlock(PreActBlock):
    def forward(self, x):
        pre = F.relu(self.bn1(x))
        shortcut = x if self.shortcut is None else self.shortcut(pre)
        out = self.conv2(F.relu(self.bn2(self.conv1(pre))))
        return F.relu(out + shortcut)
