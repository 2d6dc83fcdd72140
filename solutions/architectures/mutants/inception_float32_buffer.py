# task: inception
# Hard-coded dtype: writes the branches into a preallocated torch.zeros(..., device=x.device), float32 by
# default, so a float64 module returns float32 values rounded to 7 digits.
# hint: float32_inside_forward
class InceptionModule(InceptionModule):
    def forward(self, x):
        outs = [self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)]
        n, _, h, w = x.shape
        result = torch.zeros(n, sum(o.shape[1] for o in outs), h, w, device=x.device)
        start = 0
        for o in outs:
            result[:, start:start + o.shape[1]] = o
            start += o.shape[1]
        return result
