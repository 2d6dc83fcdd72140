"""Public test: DepthwiseSeparableConv (MobileNet v1)."""

import pytest


@pytest.mark.task("depthwise_separable")
def test_depthwise_separable(submission, frozen, blocks):
    """DepthwiseSeparableConv(3, 5, stride=2): depthwise weight (3, 1, 3, 3), pointwise weight (5, 3, 1, 1)."""
    keys = {**blocks.conv_keys("depthwise", 3, 3, 3, groups=3), **blocks.bn_keys("bn1", 3),
            **blocks.conv_keys("pointwise", 3, 5, 1), **blocks.bn_keys("bn2", 5)}
    blocks.run_block(submission, frozen, "depthwise", "DepthwiseSeparableConv", (3, 5), {"stride": 2}, keys, (2, 3, 7, 6),
                     "depthwise = Conv2d(C, C, 3, stride, padding=1, groups=C, bias=False), bn1, ReLU, pointwise 1x1, bn2, ReLU")
