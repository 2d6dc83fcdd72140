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

In-process (``check``) these are plain torch calls. When grading, the harness never
touches CUDA: :func:`on_device` then hands the transport a marker
(:class:`autograder.tensor_values.DeviceTensor`) and the worker puts the tensor on
the device; returned tensors arrive on the CPU and remember where they were.
"""

from __future__ import annotations

import numpy as np
import torch

from autograder import tensor_values as tensor_transport

__all__ = ["on_device", "device_of", "tensor_values"]


def on_device(x: torch.Tensor, device: str):
    """A copy of the CPU tensor ``x`` on ``device``, detached, same dtype and shape (as an argument
    of the student's code; in a grading harness, a marker the worker honours)."""
    if str(device) != "cpu" and tensor_transport.harness_keeps_off_gpus():
        return tensor_transport.on_device(x.detach().clone(), device)
    return x.detach().to(device, copy=True)


def device_of(t: torch.Tensor) -> str:
    """The device a tensor returned by the student's code was on (``"cpu"``, ``"cuda:0"``)."""
    return tensor_transport.device_of(t)


def tensor_values(t, name: str = "output") -> np.ndarray:
    """The values of a returned tensor as a NumPy array (its dtype kept), on the harness's CPU.

    Raises AssertionError when ``t`` is not a tensor (a tuple, a list, None): what a
    module's forward returns must be one tensor.
    """
    if not isinstance(t, torch.Tensor):
        raise AssertionError(f"{name}: expected a torch.Tensor, got {type(t).__name__}")
    return t.detach().cpu().numpy()
