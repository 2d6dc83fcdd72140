# task: inception_versions
# Believes the 1x1 convolutions of Inception v1 increase the channels (one extra letter of a multi).
ANSWERS["inception_versions"] = ["a", "b", "c", "d", "e"]
