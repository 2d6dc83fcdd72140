# task: bottleneck
# Copies BasicBlock's class attribute expansion = 1 into the bottleneck; a network builder that sizes the
# next stage with block.expansion then gets a quarter of the channels.
# hint: bottleneck_expansion_one
class Bottleneck(Bottleneck):
    expansion = 1
