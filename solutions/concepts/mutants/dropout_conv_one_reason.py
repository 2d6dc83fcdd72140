# task: dropout_conv
# Gives only one of the two reasons (multi is all or nothing).
ANSWERS["dropout_conv"] = ["a"]
