# task: bn_placement
# Takes the notes' "BN after ReLU" remark for the standard placement (choice).
ANSWERS["bn_placement"] = "c"
