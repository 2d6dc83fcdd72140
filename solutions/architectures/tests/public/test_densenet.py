"""Public test: DenseBlock (DenseNet-BC)."""

import pytest


@pytest.mark.task("dense_block")
def test_dense_block(submission, frozen, blocks):
    """DenseBlock(3, 2, 3): layers see 3, 5, 7 channels; output 3 + 3 * 2 = 9 channels: [x, out1, out2, out3]."""
    b = blocks
    keys = {}
    for i, channels in enumerate((3, 5, 7), start=1):
        keys.update({**b.bn_keys(f"denselayer{i}.norm1", channels), **b.conv_keys(f"denselayer{i}.conv1", channels, 8, 1),
                     **b.bn_keys(f"denselayer{i}.norm2", 8), **b.conv_keys(f"denselayer{i}.conv2", 8, 2, 3)})
    b.run_block(submission, frozen, "dense", "DenseBlock", (3, 2, 3), {}, keys, (2, 3, 5, 6),
                "layer i gets torch.cat([x, out_1, ..., out_(i-1)], dim=1) (input first, then the layers in order); each layer is "
                "norm1, ReLU, conv1 1x1 to bn_size * growth_rate, norm2, ReLU, conv2 3x3 pad 1 to growth_rate")
