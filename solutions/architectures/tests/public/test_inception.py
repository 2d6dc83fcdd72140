"""Public tests: InceptionModule and Factorized7x7 (convolutions with bias, no batch norm)."""

import pytest

INCEPTION = ("branch1 = [conv1x1, ReLU]; branch2 = [conv1x1, ReLU, conv3x3 pad 1, ReLU]; branch3 = [conv1x1, ReLU, conv5x5 pad 2, "
             "ReLU]; branch4 = [MaxPool2d(3, stride=1, padding=1), conv1x1, ReLU]; output torch.cat([b1, b2, b3, b4], dim=1)")


@pytest.mark.task("inception")
def test_inception_module(submission, frozen, blocks):
    """InceptionModule(4, 2, 2, 3, 1, 2, 2): 2 + 3 + 2 + 2 = 9 output channels, same spatial size."""
    b = blocks
    keys = {**b.conv_keys("branch1.0", 4, 2, 1, bias=True),
            **b.conv_keys("branch2.0", 4, 2, 1, bias=True), **b.conv_keys("branch2.2", 2, 3, 3, bias=True),
            **b.conv_keys("branch3.0", 4, 1, 1, bias=True), **b.conv_keys("branch3.2", 1, 2, 5, bias=True),
            **b.conv_keys("branch4.1", 4, 2, 1, bias=True)}
    b.run_block(submission, frozen, "inception", "InceptionModule", (4, 2, 2, 3, 1, 2, 2), {}, keys, (2, 4, 6, 5), INCEPTION)


@pytest.mark.task("factorized")
def test_factorized_7x7(submission, frozen, blocks):
    """Factorized7x7(3, 4, 2): conv1x7 (padding (0, 3)), ReLU, conv7x1 (padding (3, 0)), ReLU; 9x8 input keeps its size."""
    keys = {**blocks.conv_keys("conv1x7", 3, 4, (1, 7), bias=True), **blocks.conv_keys("conv7x1", 4, 2, (7, 1), bias=True)}
    blocks.run_block(submission, frozen, "factorized", "Factorized7x7", (3, 4, 2), {}, keys, (2, 3, 9, 8),
                     "kernel (1, 7) pads the WIDTH: padding=(0, 3); kernel (7, 1) pads the HEIGHT: padding=(3, 0); ReLU after each")
