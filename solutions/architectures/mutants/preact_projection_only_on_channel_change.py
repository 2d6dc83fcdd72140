# task: preact_block
# Adds the projection shortcut only when the channel count changes, forgetting stride 2 with equal channels:
# the identity then has the input's spatial size and the sum fails.
# hint: projection_only_on_channel_change
class PreActBlock(PreActBlock):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        if in_channels == out_channels:
            self.shortcut = None
