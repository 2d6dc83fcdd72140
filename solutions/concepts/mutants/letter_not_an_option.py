# task: kernel_psd
# Answers a letter that is not among the four options: malformed.
ANSWERS["kernel_psd"] = "e"
