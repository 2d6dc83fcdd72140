# task: dense_block
# DEVICE PLACEMENT (caught only on a GPU): assembles each layer's input in a buffer made with
# torch.empty(..., dtype=x.dtype) and no device=, so on a GPU the buffer is on the CPU while the layers'
# weights are on the GPU. On the CPU it is a correct, if unusual, implementation.
class DenseBlock(DenseBlock):
    def forward(self, x):
        n, _, h, w = x.shape
        features = [x]
        for layer in self.children():
            channels = sum(f.shape[1] for f in features)
            inputs = torch.empty(n, channels, h, w, dtype=x.dtype)
            start = 0
            for f in features:
                inputs[:, start:start + f.shape[1]] = f
                start += f.shape[1]
            features.append(layer(inputs))
        return torch.cat(features, dim=1)
