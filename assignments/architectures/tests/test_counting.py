"""Public tests: conv2d_parameter_count, conv2d_macs, count_parameters."""

import pytest


@pytest.mark.task("conv_counts")
def test_conv2d_parameter_count(submission, frozen):
    """A 3x3 conv 64 -> 128 with bias, a (1, 7) one without, a grouped one (ResNeXt) and a depthwise one (MobileNet)."""
    frozen.check("params.plain", submission.conv2d_parameter_count(64, 128, 3))
    frozen.check("params.rect_nobias", submission.conv2d_parameter_count(32, 48, (1, 7), bias=False),
                 hints={} if frozen.recording else {"counted the bias although bias=False": frozen.value("params.rect_nobias") + 48})
    frozen.check("params.grouped", submission.conv2d_parameter_count(128, 128, 3, groups=32, bias=False),
                 hints={} if frozen.recording else {"ignored groups": 128 * 128 * 9})
    frozen.check("params.depthwise", submission.conv2d_parameter_count(32, 32, 3, groups=32))


@pytest.mark.task("conv_counts")
def test_conv2d_macs(submission, frozen):
    """MACs of a 3x3 conv 64 -> 64 on a 56x56 output, of a depthwise 3x3 and of a pointwise 1x1 (as in MobileNet)."""
    frozen.check("macs.resnet", submission.conv2d_macs(64, 64, 3, 56))
    frozen.check("macs.depthwise", submission.conv2d_macs(32, 32, 3, (28, 14), groups=32),
                 hints={} if frozen.recording else {"ignored groups": 32 * 32 * 9 * 28 * 14})
    frozen.check("macs.pointwise", submission.conv2d_macs(32, 64, 1, (28, 14)))


@pytest.mark.task("count_parameters")
def test_count_parameters(submission, frozen):
    """Linear 5->5 twice with a tied weight, a conv, a batch norm (buffers do not count) and a frozen layer."""
    layers = [("linear", 5, 5, True), ("linear", 5, 5, True), ("conv", 3, 4, 3, 1, True), ("bn", 4), ("conv", 4, 4, 3, 4, False)]
    plain = submission.grader_op("build_counting_module", layers, [], [])
    frozen.check("count.plain", submission.count_parameters(plain))
    tied = submission.grader_op("build_counting_module", layers, [(0, 1)], [])
    frozen.check("count.tied", submission.count_parameters(tied),
                 hints={} if frozen.recording else {"counted the shared weight twice": frozen.value("count.tied") + 25})
    with_frozen = submission.grader_op("build_counting_module", layers, [], [2])
    frozen.check("count.frozen", submission.count_parameters(with_frozen),
                 hints={} if frozen.recording else {"counted the frozen layer": frozen.value("count.frozen") + 4 * 3 * 9 + 4})
