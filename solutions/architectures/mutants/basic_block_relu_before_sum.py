# task: basic_block
# Applies the last ReLU to the residual branch before adding the shortcut, and none after the sum
# (out = relu(bn2(conv2(...))) + identity): the block can then only add, never subtract, from its input.
# hint: relu_before_sum
class BasicBlock(BasicBlock):
    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return out + identity
