# task: exp_loss_outliers
# Uses the base-10 logarithm in the log loss: 20.09 / log10(1 + e^3) (numeric).
ANSWERS["exp_loss_outliers"] = 20.085536923187668 / 1.3239782249887624
