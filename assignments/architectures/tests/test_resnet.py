"""Public tests: BasicBlock, Bottleneck (and ResNeXt) and PreActBlock, with fixed weights and inputs."""

import pytest

RESNET_V1 = ("conv1 (stride here) -> bn1 -> relu -> conv2 -> bn2, then ADD the shortcut, then ReLU; "
             "the shortcut is x, or downsample(x) = bn(conv1x1 stride)(x) when the stride or the channels change")


def _basic_keys(b, cin, cout, stride):
    keys = {**b.conv_keys("conv1", cin, cout, 3), **b.bn_keys("bn1", cout), **b.conv_keys("conv2", cout, cout, 3), **b.bn_keys("bn2", cout)}
    if stride != 1 or cin != cout:
        keys.update({**b.conv_keys("downsample.0", cin, cout, 1), **b.bn_keys("downsample.1", cout)})
    return keys


@pytest.mark.task("basic_block")
def test_basic_block_projection(submission, frozen, blocks):
    """BasicBlock(3, 4, stride=2): projection shortcut (downsample), 7x6 input."""
    blocks.run_block(submission, frozen, "basic_projection", "BasicBlock", (3, 4), {"stride": 2}, _basic_keys(blocks, 3, 4, 2),
                     (2, 3, 7, 6), RESNET_V1)


@pytest.mark.task("basic_block")
def test_basic_block_identity(submission, frozen, blocks):
    """BasicBlock(4, 4): identity shortcut, downsample is None (no downsample.* keys)."""
    blocks.run_block(submission, frozen, "basic_identity", "BasicBlock", (4, 4), {}, _basic_keys(blocks, 4, 4, 1), (2, 4, 5, 5), RESNET_V1)


def _bottleneck_keys(b, cin, planes, stride, groups, base_width):
    width = int(planes * base_width / 64) * groups
    cout = planes * 4
    keys = {**b.conv_keys("conv1", cin, width, 1), **b.bn_keys("bn1", width), **b.conv_keys("conv2", width, width, 3, groups),
            **b.bn_keys("bn2", width), **b.conv_keys("conv3", width, cout, 1), **b.bn_keys("bn3", cout)}
    if stride != 1 or cin != cout:
        keys.update({**b.conv_keys("downsample.0", cin, cout, 1), **b.bn_keys("downsample.1", cout)})
    return keys


BOTTLENECK = ("width = int(planes * base_width / 64) * groups; conv1 1x1 -> bn1 -> relu -> conv2 3x3 (the STRIDE and the GROUPS "
              "are here: ResNet v1.5) -> bn2 -> relu -> conv3 1x1 to planes * 4 -> bn3, add the shortcut, ReLU")


@pytest.mark.task("bottleneck")
def test_bottleneck_identity(submission, frozen, blocks):
    """Bottleneck(8, 2): 8 == 2 * 4 channels, stride 1: identity shortcut."""
    blocks.run_block(submission, frozen, "bottleneck_identity", "Bottleneck", (8, 2), {}, _bottleneck_keys(blocks, 8, 2, 1, 1, 64),
                     (2, 8, 5, 4), BOTTLENECK)


@pytest.mark.task("bottleneck")
def test_resnext_bottleneck(submission, frozen, blocks):
    """Bottleneck(6, 2, stride=2, groups=2, base_width=96): ResNeXt with cardinality 2, width int(2 * 96 / 64) * 2 = 2."""
    kwargs = {"stride": 2, "groups": 2, "base_width": 96}
    blocks.run_block(submission, frozen, "resnext", "Bottleneck", (6, 2), kwargs, _bottleneck_keys(blocks, 6, 2, 2, 2, 96),
                     (2, 6, 7, 5), BOTTLENECK)


PREACT = ("ResNet v2: a = relu(bn1(x)); out = conv2(relu(bn2(conv1(a)))) + shortcut, NO ReLU after the sum; "
          "the shortcut is x, or the 1x1 conv `shortcut` applied to a (not to x)")


@pytest.mark.task("preact_block")
def test_preact_block_projection(submission, frozen, blocks):
    """PreActBlock(3, 5, stride=2): the 1x1 shortcut convolution sees relu(bn1(x))."""
    keys = {**blocks.bn_keys("bn1", 3), **blocks.conv_keys("conv1", 3, 5, 3), **blocks.bn_keys("bn2", 5), **blocks.conv_keys("conv2", 5, 5, 3),
            **blocks.conv_keys("shortcut", 3, 5, 1)}
    blocks.run_block(submission, frozen, "preact_projection", "PreActBlock", (3, 5), {"stride": 2}, keys, (2, 3, 6, 7), PREACT)


@pytest.mark.task("preact_block")
def test_preact_block_identity(submission, frozen, blocks):
    """PreActBlock(4, 4): identity shortcut (shortcut is None), nothing after the sum."""
    keys = {**blocks.bn_keys("bn1", 4), **blocks.conv_keys("conv1", 4, 4, 3), **blocks.bn_keys("bn2", 4), **blocks.conv_keys("conv2", 4, 4, 3)}
    blocks.run_block(submission, frozen, "preact_identity", "PreActBlock", (4, 4), {}, keys, (2, 4, 5, 5), PREACT)
