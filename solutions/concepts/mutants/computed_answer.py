# task: conv_param_count
# Computes the answer with a function call, which the grader does not run: malformed.
import math
ANSWERS["conv_param_count"] = math.prod([3, 3, 3, 64]) + 64
