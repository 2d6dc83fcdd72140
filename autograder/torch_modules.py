"""Test-side helpers for torch values exchanged with a student's module: where they live, what they hold.

Hidden tests of torch assignments build the student's module (it stays with the
student's code: in the worker when grading), send it harness-made CPU tensors and
get tensors back as values. Three questions come up in every such test, answered
here so that a test reads the same in-process (``autograder check``) and when graded:

- :func:`on_device` ``(x, device)``: the tensor to pass so that the student's code gets
  ``x`` on ``device`` (``"cpu"`` or ``"cuda"``). Always a copy: the student may modify it.
- :func:`device_of` ``(t)``: the device a returned tensor was on in the student's
  process, as a string (``"cpu"``, ``"cuda:0"``).
- :func:`tensor_values` ``(t, name)``: a returned tensor's values as a NumPy array for
  :func:`autograder.testing.assert_close`; anything that is not a tensor fails the test
  with a message naming what came back.

In-process these are plain torch calls. When grading, the harness never touches CUDA
and the transport decides what crosses; these functions are where it plugs in.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["on_device", "device_of", "tensor_values"]


def on_device(x: torch.Tensor, device: str) -> torch.Tensor:
    """A copy of the CPU tensor ``x`` on ``device``, detached, same dtype and shape."""
    return x.detach().to(device, copy=True)


def device_of(t: torch.Tensor) -> str:
    """The device a tensor returned by the student's code was on (``"cpu"``, ``"cuda:0"``)."""
    return str(t.device)


def tensor_values(t, name: str = "output") -> np.ndarray:
    """The values of a returned tensor as a NumPy array (its dtype kept), on the harness's CPU.

    Raises AssertionError when ``t`` is not a tensor (a tuple, a list, None): what a
    module's forward returns must be one tensor.
    """
    if not isinstance(t, torch.Tensor):
        raise AssertionError(f"{name}: expected a torch.Tensor, got {type(t).__name__}")
    return t.detach().cpu().numpy()
