# task: bn_dropout_variance
# Forgets that E[y]^2 is subtracted: var / (1 - p) = 2 instead of (var + mean^2) / (1 - p) - mean^2 (numeric).
ANSWERS["bn_dropout_variance"] = 1 / (1 - 0.5)
