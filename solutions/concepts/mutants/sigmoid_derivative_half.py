# task: sigmoid_vanishing
# Takes the sigmoid's largest derivative for its value at 0 (0.5) instead of 0.25: 0.5**10 (numeric).
ANSWERS["sigmoid_vanishing"] = 0.5**10
