# task: conv_output_size
# Ignores the padding of both layers: 224 -> 109 -> 54 (integer).
ANSWERS["conv_output_size"] = 54
