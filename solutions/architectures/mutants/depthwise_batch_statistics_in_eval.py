# task: depthwise_separable
# A functional forward that calls F.batch_norm with training=True whatever the mode: in eval mode it
# normalises with the batch's statistics (and keeps updating the running ones) instead of the running ones.
# hint: eval_batch_statistics
class DepthwiseSeparableConv(DepthwiseSeparableConv):
    def forward(self, x):
        def norm(bn, t):
            return F.batch_norm(t, bn.running_mean, bn.running_var, bn.weight, bn.bias, training=True,
                                momentum=bn.momentum, eps=bn.eps)
        out = F.relu(norm(self.bn1, self.depthwise(x)))
        return F.relu(norm(self.bn2, self.pointwise(out)))
