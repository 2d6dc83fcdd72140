"""torch tensors as values across the sandbox boundary: ``.npy`` bytes plus dtype, shape and device.

For assignments written in PyTorch (``tensors = true`` in ``assignment.toml``), the
value codec (:mod:`autograder.protocol`) carries tensors both ways, never pickled
and never ``torch.load``-ed:

- a tensor becomes ``{"~": "tensor", "i": k, "dtype": "float32", "device": "cuda:0",
  "requires_grad": false}`` with its data, detached and copied to the CPU, as the
  ``.npy`` blob ``k`` (``bfloat16``/``float16`` data travel as float32 and are cast back);
- a ``torch.dtype`` is ``{"~": "dtype", "name": "float64"}``, a ``torch.device``
  ``{"~": "device", "name": "cuda"}``, a ``torch.Size`` a tuple.

Decoded in the **worker**, a tensor is put on the device it names (the harness asks
for a device with :func:`on_device`; the worker may be the only process that ever
touches CUDA). Decoded in the **harness**, it stays on the CPU and remembers where it
came from: :func:`device_of`. Nothing here imports torch until a tensor is seen.
"""

from __future__ import annotations

import sys

import numpy as np

from autograder.errors import ProtocolError
from autograder.npy_codec import array_to_npy

__all__ = ["DeviceTensor", "decode_tensor_tag", "device_of", "encode_torch_value", "harness_keeps_off_gpus", "is_torch_value",
           "keep_harness_off_gpus", "on_device"]

_DTYPES = ("float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool", "complex64", "complex128")
_CARRIED_AS_FLOAT32 = ("float16", "bfloat16")
_MAX_DEVICE_NAME = 32


class DeviceTensor:
    """A harness tensor and the device the worker must put it on (made by :func:`on_device`)."""

    __slots__ = ("device", "tensor")

    def __init__(self, tensor, device: str):
        self.tensor = tensor
        self.device = str(device)

    def __repr__(self) -> str:
        return f"<tensor of shape {tuple(self.tensor.shape)} for {self.device}>"


_harness_keeps_off_gpus = False


def keep_harness_off_gpus() -> None:
    """Called by the grading harness: from now on a tensor asked for on a GPU is sent as a marker
    (:func:`on_device`) and put there by the worker; the harness itself never initialises CUDA."""
    global _harness_keeps_off_gpus
    _harness_keeps_off_gpus = True


def harness_keeps_off_gpus() -> bool:
    return _harness_keeps_off_gpus


def on_device(tensor, device: str) -> DeviceTensor:
    """``tensor`` as the argument of a submission call, put on ``device`` (``"cuda"``) where the
    student's code runs. The harness itself never moves it (it never initialises CUDA)."""
    return DeviceTensor(tensor, device)


def device_of(tensor) -> str:
    """The device a tensor returned by student code was on (``"cuda:0"``), in-process or across the boundary."""
    return getattr(tensor, "_ag_device", None) or str(tensor.device)


def is_torch_value(value) -> bool:
    """A tensor, dtype, device or size of torch (checked by type, without importing torch)."""
    module = type(value).__module__
    return module == "torch" or module.startswith("torch.")


def encode_torch_value(value, blobs: list[bytes], encode) -> dict | tuple | None:
    """The tree of a torch value (appending data to ``blobs``); ``encode`` encodes nested values.

    Returns None for a torch object that is not a value (a module): the caller keeps it as a handle.
    """
    torch = sys.modules.get("torch")
    if isinstance(value, DeviceTensor):
        tree = encode_torch_value(value.tensor, blobs, encode)
        tree["device"] = value.device[:_MAX_DEVICE_NAME]
        return tree
    if torch is None:
        return None
    if isinstance(value, torch.Tensor):
        tensor = value.detach()
        dtype = str(tensor.dtype).removeprefix("torch.")
        if dtype not in _DTYPES:
            raise TypeError(f"tensors of dtype {dtype} cannot cross to the grader")
        data = tensor.to("cpu")
        if dtype in _CARRIED_AS_FLOAT32:
            data = data.to(torch.float32)
        blobs.append(array_to_npy(data.numpy()))
        return {"~": "tensor", "i": len(blobs) - 1, "dtype": dtype, "device": str(tensor.device), "requires_grad": bool(value.requires_grad)}
    if isinstance(value, torch.dtype):
        return {"~": "dtype", "name": str(value).removeprefix("torch.")}
    if isinstance(value, torch.device):
        return {"~": "device", "name": str(value)}
    if isinstance(value, torch.Size):
        return {"~": "tuple", "v": [int(size) for size in value]}
    return None


def decode_tensor_tag(tree: dict, blobs: list[bytes], load_array, *, place_on_device: bool):
    """A tensor, dtype or device from its tree. ``place_on_device``: put a tensor on the device it
    names (in the worker); else keep it on the CPU and remember the device (in the harness)."""
    try:
        import torch
    except ImportError:
        raise ProtocolError("a torch value arrived, but torch is not installed here") from None
    tag = tree.get("~")
    if tag == "dtype":
        name = tree.get("name")
        if name not in _DTYPES:
            raise ProtocolError(f"unknown dtype {name!r}")
        return getattr(torch, name)
    device = tree.get("device") if tag == "tensor" else tree.get("name")
    if not isinstance(device, str) or len(device) > _MAX_DEVICE_NAME or not device.replace(":", "").replace("_", "").isalnum():
        raise ProtocolError("malformed device")
    if tag == "device":
        return torch.device(device)
    dtype = tree.get("dtype")
    index = tree.get("i")
    if dtype not in _DTYPES or not isinstance(index, int) or not 0 <= index < len(blobs):
        raise ProtocolError("malformed tensor")
    array = load_array(blobs[index])
    tensor = torch.from_numpy(np.array(array, copy=True)).to(getattr(torch, dtype))
    if place_on_device:
        if device != "cpu":
            tensor = tensor.to(device)
        if tree.get("requires_grad") is True and tensor.is_floating_point():
            tensor.requires_grad_(True)
        return tensor
    tensor._ag_device = device
    return tensor
