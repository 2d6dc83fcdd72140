# task: factorized
# Pads the height for the 1x7 kernel and the width for the 7x1 one (padding (3, 0) then (0, 3)): the
# output has the right size, but the picture shifted through zero borders.
# hint: factorized_swapped_padding
class Factorized7x7(Factorized7x7):
    def __init__(self, in_channels, mid_channels, out_channels):
        super().__init__(in_channels, mid_channels, out_channels)
        self.conv1x7.padding = (3, 0)
        self.conv7x1.padding = (0, 3)
