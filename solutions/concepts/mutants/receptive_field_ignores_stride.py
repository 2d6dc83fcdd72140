# task: vgg_receptive_field
# Adds (k - 1) per layer but forgets that strides multiply the jump: 1 + 2+2+1+2+2+1+2 = 13 (integer).
ANSWERS["vgg_receptive_field"] = 13
