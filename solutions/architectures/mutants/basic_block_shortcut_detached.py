# task: basic_block
# Takes the identity shortcut through x.data (old PyTorch code's habit): the values are right, but autograd
# does not see the shortcut, so no gradient flows along the identity path, the very path residual
# connections exist for.
class BasicBlock(BasicBlock):
    def forward(self, x):
        identity = x.data if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)
