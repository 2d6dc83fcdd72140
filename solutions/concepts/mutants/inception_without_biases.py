# task: inception_params
# Counts the weights of the Inception module but forgets its 368 biases (integer).
ANSWERS["inception_params"] = 192*64 + 192*96 + 96*128*9 + 192*16 + 16*32*25 + 192*32
