# task: cnn_families
# Confuses ResNet and DenseNet: takes both swapped statements for right (multi).
ANSWERS["cnn_families"] = ["a", "b", "c", "d", "e", "f"]
