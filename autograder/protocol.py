"""What crosses the sandbox boundary: message framing and the value codec.

Only *values* cross between the harness (trusted) and the worker (runs student
code): ``None``, bools, ints, floats, strings, NumPy arrays and scalars (as
``.npy`` bytes, loaded with ``allow_pickle=False``), and lists, tuples and dicts
of those. Anything else stays in the worker and is represented by a
:class:`Handle` that can only be passed back in or have a method called on it.
Nothing is ever unpickled or executed.

A frame on the wire::

    8 bytes  big-endian length of the JSON header
    header   UTF-8 JSON: {"msg": {...}, "blobs": [len0, len1, ...]}
    blobs    raw bytes, one per encoded array

Inside ``msg`` a value is JSON, except for tagged objects:
``{"~": "nd", "i": k}`` (array in blob k, :mod:`autograder.npy_codec`), ``{"~": "np", "i": k}`` (NumPy scalar, a 0-d
array in blob k), ``{"~": "tuple", "v": [...]}``, ``{"~": "dict", "v": [[k, v], ...]}``,
``{"~": "handle", "id": n, "type": "name"}``, ``{"~": "callback", "id": n}`` (optionally with
``"closure_over": k``: called with the worker's current value of argument ``k`` of the call),
``{"~": "rng", "state": {...}}`` (a ``numpy.random.Generator``, rebuilt from its state),
and, only for PyTorch assignments (``tensors=True``), ``{"~": "tensor", ...}``,
``{"~": "dtype", ...}`` and ``{"~": "device", ...}`` (:mod:`autograder.tensor_values`).
Plain JSON objects never appear as values, so the tags cannot be confused.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from collections.abc import Callable

import numpy as np

from autograder.errors import ProtocolError
from autograder.npy_codec import array_to_npy, npy_to_array
from autograder.tensor_values import DeviceTensor, decode_tensor_tag, encode_torch_value, is_torch_value

__all__ = [
    "MAX_FRAME_BYTES",
    "Decoder",
    "Encoder",
    "Handle",
    "ProtocolError",
    "read_frame",
    "write_frame",
]

MAX_FRAME_BYTES = 1 << 30  # 1 GiB: no legitimate value in a course assignment is larger
MAX_HEADER_BYTES = 64 << 20
_LENGTH = struct.Struct(">Q")
_JOIN_BELOW_BYTES = 4 << 20  # frames up to this size are written with one write
_ALLOWED_ARRAY_KINDS = set("biufcUS")
_BIT_GENERATORS = {"PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"}


class Handle:
    """A reference to an object that stays in the worker (an opaque ``cache``, say)."""

    __slots__ = ("id", "type_name", "generation")

    def __init__(self, handle_id: int, type_name: str, generation: int = 0):
        self.id = handle_id
        self.type_name = type_name
        self.generation = generation

    def __repr__(self) -> str:
        return f"<opaque {self.type_name} in the worker>"


# --------------------------------------------------------------------------- framing


def _wait(fd: int, deadline: float | None, for_write: bool) -> None:
    """Block until ``fd`` is ready, or raise TimeoutError at ``deadline`` (a ``time.monotonic()`` value)."""
    if deadline is None:
        return
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        ready = select.select([], [fd], [], remaining) if for_write else select.select([fd], [], [], remaining)
        if ready[1 if for_write else 0]:
            return


def _read_exact(fd: int, count: int, deadline: float | None = None) -> bytes:
    chunks = []
    remaining = count
    # A non-blocking fd is read first and waited on only when empty (most replies are already
    # there); a blocking one is waited on first, so that a deadline always holds.
    wait_first = deadline is not None and os.get_blocking(fd)
    while remaining:
        if wait_first:
            _wait(fd, deadline, for_write=False)
        try:
            chunk = os.read(fd, min(remaining, 1 << 20))
        except BlockingIOError:
            _wait(fd, deadline, for_write=False)
            continue
        if not chunk:
            raise EOFError("channel closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _write_all(fd: int, data: bytes | memoryview, deadline: float | None = None) -> None:
    view = memoryview(data)
    wait_first = deadline is not None and os.get_blocking(fd)
    while view:
        if wait_first:
            _wait(fd, deadline, for_write=True)
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            _wait(fd, deadline, for_write=True)
            continue
        view = view[written:]


def write_frame(fd: int, msg: dict, blobs: list[bytes], deadline: float | None = None) -> None:
    """Write one frame. With ``deadline``, ``fd`` should be non-blocking; TimeoutError when it passes."""
    header = json.dumps({"msg": msg, "blobs": [len(b) for b in blobs]}, allow_nan=True).encode()
    prefix = _LENGTH.pack(len(header)) + header
    if sum(map(len, blobs)) <= _JOIN_BELOW_BYTES:
        # One write for the whole frame (each write can wake the reader): a copy costs less than a wake-up.
        _write_all(fd, b"".join([prefix, *blobs]), deadline)
        return
    _write_all(fd, prefix, deadline)
    for blob in blobs:
        _write_all(fd, blob, deadline)


def read_frame(fd: int, max_bytes: int = MAX_FRAME_BYTES, deadline: float | None = None) -> tuple[dict, list[bytes]]:
    """Read one frame; raise :class:`ProtocolError` on anything malformed or too large.

    With ``deadline`` (``time.monotonic()`` value), raise TimeoutError when it passes,
    even in the middle of a frame (a hostile worker may send half a frame and stop).
    """
    (header_length,) = _LENGTH.unpack(_read_exact(fd, _LENGTH.size, deadline))
    if header_length > MAX_HEADER_BYTES:
        raise ProtocolError(f"message header of {header_length} bytes is too large")
    try:
        header = json.loads(_read_exact(fd, header_length, deadline))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"malformed message header: {exc}") from None
    if not isinstance(header, dict) or not isinstance(header.get("msg"), dict) or not isinstance(header.get("blobs"), list):
        raise ProtocolError("malformed message header")
    sizes = header["blobs"]
    if not all(isinstance(s, int) and s >= 0 for s in sizes) or sum(sizes) > max_bytes:
        raise ProtocolError(f"message of {sum(s for s in sizes if isinstance(s, int))} bytes exceeds the {max_bytes}-byte limit")
    return header["msg"], [_read_exact(fd, size, deadline) for size in sizes]


# --------------------------------------------------------------------------- values


def _npy_to_array(blob: bytes) -> np.ndarray:
    try:
        array = npy_to_array(blob)
    except Exception as exc:  # malformed .npy from a hostile worker
        raise ProtocolError(f"malformed array: {exc}") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in _ALLOWED_ARRAY_KINDS or array.dtype.fields:
        raise ProtocolError(f"array of dtype {getattr(array, 'dtype', '?')} is not a plain numeric array")
    return array


class Encoder:
    """Turns a Python value into a JSON-able tree plus blobs.

    ``on_other(obj)`` decides what happens to a non-value: the worker turns it into
    a handle description; the harness turns harness-side callables into callbacks.
    By default a non-value is an error.
    """

    def __init__(self, on_other: Callable[[object], dict] | None = None, max_depth: int = 32, tensors: bool = False):
        self.blobs: list[bytes] = []
        self._on_other = on_other
        self._max_depth = max_depth
        self._tensors = tensors

    def encode(self, value, depth: int = 0):
        if depth > self._max_depth:
            raise ValueError("value nested too deeply")
        kind = type(value)
        if value is None or kind is bool or kind is str:
            return value
        if kind is int:
            return value
        if kind is float:
            return value
        if kind is list:
            return [self.encode(v, depth + 1) for v in value]
        if kind is tuple:
            return {"~": "tuple", "v": [self.encode(v, depth + 1) for v in value]}
        if kind is dict or (self._tensors and isinstance(value, dict)):  # a state_dict is an OrderedDict
            return {"~": "dict", "v": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in dict.items(value)]}
        if isinstance(value, np.ndarray) and value.dtype.kind in _ALLOWED_ARRAY_KINDS and not value.dtype.fields:
            # Subclasses become plain ndarray copies: their comparison overrides are lost.
            self.blobs.append(array_to_npy(np.asarray(value)))
            return {"~": "nd", "i": len(self.blobs) - 1}
        if isinstance(value, np.generic) and value.dtype.kind in _ALLOWED_ARRAY_KINDS:
            self.blobs.append(array_to_npy(np.asarray(value)))
            return {"~": "np", "i": len(self.blobs) - 1}
        if isinstance(value, Handle):
            return {"~": "handle", "id": value.id, "type": value.type_name}
        if type(value) is np.random.Generator:
            # A generator crosses as its bit generator's name and state; the copy draws the same numbers.
            state = value.bit_generator.state
            if state.get("bit_generator") not in _BIT_GENERATORS:
                raise TypeError(f"cannot send a generator backed by {state.get('bit_generator')}")
            return {"~": "rng", "state": self.encode(state, depth + 1)}
        if self._tensors and (is_torch_value(value) or isinstance(value, DeviceTensor)):
            tree = encode_torch_value(value, self.blobs, lambda nested: self.encode(nested, depth + 1))
            if tree is not None:
                return tree
        if self._on_other is None:
            raise TypeError(f"cannot send a value of type {kind.__name__}")
        return self._on_other(value)


class Decoder:
    """Turns a JSON tree plus blobs back into values.

    ``on_handle(id, type_name)`` and ``on_callback(id, closure_over)`` build the objects for those
    tags; without them the tag is a :class:`ProtocolError`.
    """

    def __init__(self, blobs: list[bytes], on_handle=None, on_callback=None, max_depth: int = 64, tensors: str | None = None):
        """``tensors``: None (a tensor is a protocol error), ``"worker"`` (tensors go to the device
        they name) or ``"harness"`` (tensors stay on the CPU and remember their device)."""
        self._blobs = blobs
        self._on_handle = on_handle
        self._on_callback = on_callback
        self._max_depth = max_depth
        self._tensors = tensors

    def decode(self, tree, depth: int = 0):
        if depth > self._max_depth:
            raise ProtocolError("value nested too deeply")
        if tree is None or isinstance(tree, (bool, int, float, str)):
            return tree
        if isinstance(tree, list):
            return [self.decode(v, depth + 1) for v in tree]
        if not isinstance(tree, dict):
            raise ProtocolError(f"unexpected {type(tree).__name__} in a value")
        tag = tree.get("~")
        if tag == "tuple":
            return tuple(self.decode(v, depth + 1) for v in self._list(tree, "v"))
        if tag == "dict":
            result = {}
            for pair in self._list(tree, "v"):
                if not isinstance(pair, list) or len(pair) != 2:
                    raise ProtocolError("malformed dict entry")
                key = self.decode(pair[0], depth + 1)
                try:
                    hash(key)
                except TypeError:
                    raise ProtocolError("dict key is not hashable") from None
                result[key] = self.decode(pair[1], depth + 1)
            return result
        if tag in ("nd", "np"):
            index = tree.get("i")
            if not isinstance(index, int) or not 0 <= index < len(self._blobs):
                raise ProtocolError("array reference out of range")
            array = _npy_to_array(self._blobs[index])
            if tag == "np":
                if array.ndim != 0:
                    raise ProtocolError("NumPy scalar is not 0-d")
                return array[()]
            return array
        if tag == "rng":
            state = self.decode(tree.get("state"), depth + 1)
            name = state.get("bit_generator") if isinstance(state, dict) else None
            if name not in _BIT_GENERATORS:
                raise ProtocolError("malformed random generator")
            bit_generator = getattr(np.random, name)()
            try:
                bit_generator.state = state
            except (ValueError, TypeError, KeyError) as exc:
                raise ProtocolError(f"malformed random generator state: {exc}") from None
            return np.random.Generator(bit_generator)
        if tag in ("tensor", "dtype", "device") and self._tensors is not None:
            return decode_tensor_tag(tree, self._blobs, _npy_to_array, place_on_device=self._tensors == "worker")
        if tag == "handle" and self._on_handle is not None:
            handle_id, type_name = tree.get("id"), tree.get("type")
            if not isinstance(handle_id, int) or not isinstance(type_name, str):
                raise ProtocolError("malformed handle")
            return self._on_handle(handle_id, type_name[:200])
        if tag == "callback" and self._on_callback is not None:
            callback_id, closure_over = tree.get("id"), tree.get("closure_over")
            if not isinstance(callback_id, int) or not (closure_over is None or type(closure_over) is int):
                raise ProtocolError("malformed callback")
            return self._on_callback(callback_id, closure_over)
        raise ProtocolError(f"unknown value tag {tag!r}")

    @staticmethod
    def _list(tree: dict, key: str) -> list:
        value = tree.get(key)
        if not isinstance(value, list):
            raise ProtocolError("malformed value")
        return value
