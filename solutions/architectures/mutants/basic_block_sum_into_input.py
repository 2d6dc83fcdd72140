# task: basic_block
# Adds the residual branch into the identity in place; with the identity shortcut that is the caller's
# input tensor, which forward must not modify (and autograd refuses in-place ops on a leaf that needs grad).
class BasicBlock(BasicBlock):
    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity += out
        return self.relu(identity)
