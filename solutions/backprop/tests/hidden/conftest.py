"""Harness-side helpers shared by the hidden tests of `backprop` (torch oracles)."""

import numpy as np
import pytest
import torch


def _leaf(array):
    """float64 torch leaf tensor (a copy) that records gradients."""
    return torch.tensor(np.array(array, dtype=np.float64), dtype=torch.float64, requires_grad=True)


def _no_zeros(array, margin=1e-3):
    """Push entries away from 0 (the kink of relu/leaky/elu) keeping their sign."""
    array = np.asarray(array, dtype=np.float64)
    sign = np.where(array >= 0, 1.0, -1.0)
    return np.where(np.abs(array) < margin, sign * (margin + np.abs(array)), array)


@pytest.fixture
def leaf():
    return _leaf


@pytest.fixture
def no_zeros():
    return _no_zeros
