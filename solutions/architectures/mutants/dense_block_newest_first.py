# task: dense_block
# Concatenates the newest features first (cat([new, old])) inside the block: every later layer's weights
# meet the channels in the wrong order.
# hint: dense_newest_first
class DenseBlock(DenseBlock):
    def forward(self, x):
        features = x
        for layer in self.children():
            features = torch.cat([layer(features), features], dim=1)
        return features
