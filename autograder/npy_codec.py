"""NumPy arrays to ``.npy`` bytes and back, without ``np.save``/``np.load`` on the common path.

Every array that crosses the sandbox boundary is one ``.npy`` blob (:mod:`autograder.protocol`),
hundreds per submission. ``np.save`` takes about 10 us per small array and ``np.load`` about
45 us (a file object, a header parsed with ``ast``); these take 3-5 us. Here:

- :func:`array_to_npy` writes the standard version 1.0 file (byte for byte what ``np.save`` writes
  for a C-ordered array of a plain dtype), so anything that reads ``.npy`` reads it;
- :func:`npy_to_array` reads the header ``array_to_npy`` writes with one strict regular
  expression and copies the data out with ``np.frombuffer``; any other header (Fortran order,
  version 2.0, odd spacing, a dtype outside ``biufcUS``) or a size that does not match goes to
  ``np.load(allow_pickle=False)``, which accepts or refuses it as before. Nothing is unpickled.
"""

from __future__ import annotations

import io
import re

import numpy as np

__all__ = ["array_to_npy", "npy_to_array"]

_MAGIC = b"\x93NUMPY\x01\x00"
_ALIGN = 64
_GROWTH_AXIS_DIGITS = 21
_PREFIX = len(_MAGIC) + 2  # magic, version, 2-byte header length
#: the header array_to_npy writes: {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
_HEADER = re.compile(rb"\{'descr': '([<>|=][biufcUS][0-9]{1,6})', 'fortran_order': False, 'shape': \(((?:[0-9]{1,12}, ?)*(?:[0-9]{1,12})?)\), \} *\n")


def array_to_npy(array: np.ndarray) -> bytes:
    """``array`` (any shape, a plain dtype) as ``.npy`` bytes in C order."""
    array = np.asarray(array)
    header = "{'descr': %r, 'fortran_order': False, 'shape': %r, }" % (array.dtype.str, tuple(int(n) for n in array.shape))
    if array.shape:  # as np.save: room for the first axis to grow to 21 digits in place
        header += " " * (_GROWTH_AXIS_DIGITS - len(repr(int(array.shape[0]))))
    padding = -(_PREFIX + len(header) + 1) % _ALIGN
    encoded = (header + " " * padding + "\n").encode("latin1")
    return b"".join((_MAGIC, len(encoded).to_bytes(2, "little"), encoded, array.tobytes(order="C")))


def npy_to_array(blob: bytes) -> np.ndarray:
    """The array in ``.npy`` bytes (writeable, owning its data); ``np.load``'s errors for what it refuses."""
    if blob[:len(_MAGIC)] == _MAGIC and len(blob) >= _PREFIX:
        length = int.from_bytes(blob[len(_MAGIC):_PREFIX], "little")
        match = _HEADER.fullmatch(blob, _PREFIX, _PREFIX + length)
        if match is not None:
            dtype = np.dtype(match.group(1).decode("ascii"))
            shape = tuple(int(n) for n in match.group(2).split(b",") if n.strip())
            count = 1
            for n in shape:
                count *= n
            offset = _PREFIX + length
            if dtype.itemsize and len(blob) - offset == count * dtype.itemsize:
                return np.frombuffer(blob, dtype=dtype, count=count, offset=offset).reshape(shape).copy()
    return np.load(io.BytesIO(blob), allow_pickle=False)

