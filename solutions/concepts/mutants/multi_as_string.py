# task: conv_why
# Writes the two right letters as one string instead of a list: malformed.
ANSWERS["conv_why"] = "ab"
