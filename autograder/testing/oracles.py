"""Oracle results computed once per batch: ``@oracle`` memoises reference computations by their inputs.

Within a batch every submission is graded with the same seed, so the hidden tests
draw the same inputs and compute the same reference values (torch forward and
backward passes, many optimizer steps) again and again. An oracle must be a pure
function of its arguments (no reading of mutable global state, no randomness of its
own). Decorating the helper that
computes them with :func:`oracle` keeps each result, keyed by a fingerprint of the
helper and of the arguments' *contents* (array bytes, numbers, strings, nested
containers, and for a function argument its code and the values it closes over).
The warm harness grades the reference once before the students of a seed
(:mod:`autograder.harness.server`), filling the memo; each student's grading runs
in a forked child that inherits it. A cache hit returns a deep copy, so a test may
modify what it gets. Arguments that cannot be fingerprinted (an open file, a
random generator) are computed every time, never guessed.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import os
import struct
import types

import numpy as np

__all__ = ["add_oracle_memo_entries", "clear_oracle_memo", "oracle", "oracle_memo_entries", "oracle_memo_stats", "recording_oracle_keys"]

MAX_ENTRY_BYTES = 32 << 20
MAX_TOTAL_BYTES = 512 << 20

_memo: dict[bytes, object] = {}
_stats = {"hits": 0, "misses": 0, "bytes": 0, "uncacheable": 0}
_recording: list[set[bytes]] = []  # the key sets of the recordings in progress


class _Unhashable(Exception):
    """An argument whose content cannot be fingerprinted."""


def _feed(digest, value, depth: int = 0) -> None:
    """Add ``value``'s content to ``digest`` (raise :class:`_Unhashable` when it has no reliable content)."""
    if depth > 20:
        raise _Unhashable()
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        digest.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        digest.update(f"nd:{array.dtype.str}:{array.shape};".encode())
        digest.update(array.tobytes())
    elif isinstance(value, np.generic):
        digest.update(f"np:{value.dtype.str}:{value!r};".encode())
    elif isinstance(value, (list, tuple)):
        digest.update(f"{type(value).__name__}[{len(value)}];".encode())
        for item in value:
            _feed(digest, item, depth + 1)
    elif isinstance(value, dict):
        digest.update(f"dict[{len(value)}];".encode())
        for key in sorted(value, key=repr):
            _feed(digest, key, depth + 1)
            _feed(digest, value[key], depth + 1)
    elif isinstance(value, types.FunctionType):
        _feed_function(digest, value, depth)
    elif isinstance(value, (types.BuiltinFunctionType, types.ModuleType)):
        digest.update(f"{type(value).__name__}:{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', value.__name__)};".encode())
    elif isinstance(value, functools.partial):
        _feed(digest, value.func, depth + 1)
        _feed(digest, value.args, depth + 1)
        _feed(digest, value.keywords, depth + 1)
    elif type(value).__module__.startswith("torch") and hasattr(value, "detach"):
        tensor = value.detach().cpu().contiguous()
        digest.update(f"tensor:{tensor.dtype}:{tuple(tensor.shape)}:{value.requires_grad};".encode())
        try:
            digest.update(tensor.numpy().tobytes())
        except TypeError:  # bfloat16 and other dtypes NumPy lacks
            digest.update(tensor.double().numpy().tobytes())
    elif type(value).__module__.startswith("torch") and type(value).__name__ in ("dtype", "device"):
        digest.update(f"torch:{value};".encode())
    else:
        raise _Unhashable()


def _feed_function(digest, function: types.FunctionType, depth: int, values: bool = True) -> None:
    """A function's code and, with ``values``, what it closes over and the plain data it reads."""
    code = function.__code__
    # The file's name, not its path: the same tests graded from another copy of the assignment
    # (each batch grades a snapshot of it) must give the same key (the memo on disk is per version).
    digest.update(f"fn:{os.path.basename(code.co_filename)}:{code.co_firstlineno}:{function.__qualname__};".encode())
    digest.update(code.co_code)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            digest.update(constant.co_code)
        else:
            _feed(digest, constant, depth + 1)
    if not values:
        return
    for cell in function.__closure__ or ():
        try:
            contents = cell.cell_contents
        except ValueError:  # an empty cell
            contents = None
        _feed(digest, contents, depth + 1)
    if function.__defaults__:
        _feed(digest, function.__defaults__, depth + 1)
    # Globals the code reads are module-level names: fingerprinted by value when they are plain data.
    for name in code.co_names:
        if name in function.__globals__:
            value = function.__globals__[name]
            if isinstance(value, (np.ndarray, int, float, str, tuple)) and not isinstance(value, bool):
                _feed(digest, value, depth + 1)


def _fingerprint(function, args: tuple, kwargs: dict) -> bytes | None:
    digest = hashlib.blake2b(digest_size=20)
    try:
        _feed_function(digest, function, 0, values=False)  # the oracle itself: by its code
        _feed(digest, args)
        _feed(digest, kwargs)
    except _Unhashable:
        return None
    return digest.digest()


def _size(value) -> int:
    if isinstance(value, np.ndarray):
        return value.nbytes
    if hasattr(value, "element_size") and hasattr(value, "nelement"):
        return value.element_size() * value.nelement()
    if isinstance(value, (list, tuple)):
        return sum(_size(v) for v in value) + 8 * len(value)
    if isinstance(value, dict):
        return sum(_size(v) for v in value.values()) + 16 * len(value)
    return struct.calcsize("P") * 4


def oracle(function):
    """Decorator: memoise ``function`` by the content of its arguments (see the module docstring)."""

    @functools.wraps(function)
    def memoised(*args, **kwargs):
        key = _fingerprint(function, args, kwargs)
        if key is None:
            _stats["uncacheable"] += 1
            return function(*args, **kwargs)
        for keys in _recording:
            keys.add(key)
        if key in _memo:
            _stats["hits"] += 1
            return copy.deepcopy(_memo[key])
        _stats["misses"] += 1
        value = function(*args, **kwargs)
        _keep(key, value, copy_value=True)
        return value

    return memoised


def _keep(key: bytes, value, *, copy_value: bool) -> bool:
    """Keep ``value`` (a copy of it with ``copy_value``) under ``key`` if the memo's size limits allow."""
    size = _size(value)
    if size > MAX_ENTRY_BYTES or _stats["bytes"] + size > MAX_TOTAL_BYTES:
        return False
    _memo[key] = copy.deepcopy(value) if copy_value else value
    _stats["bytes"] += size
    return True


@contextlib.contextmanager
def recording_oracle_keys():
    """Within the ``with``, collect the key of every memoised call (hit or miss) in the set it yields:
    what one seed's grading used, which is what :mod:`autograder.testing.oracle_store` saves for it."""
    keys: set[bytes] = set()
    _recording.append(keys)
    try:
        yield keys
    finally:
        _recording.remove(keys)


def oracle_memo_entries() -> dict[bytes, object]:
    """The memo's entries (fingerprint -> value), for :mod:`autograder.testing.oracle_store` to write; do not modify."""
    return dict(_memo)


def add_oracle_memo_entries(entries: dict[bytes, object]) -> int:
    """Add entries read back by :mod:`autograder.testing.oracle_store` (keys already here are kept); returns how many were added."""
    return sum(1 for key, value in entries.items() if key not in _memo and _keep(key, value, copy_value=False))


def clear_oracle_memo() -> None:
    _memo.clear()
    _stats.update(hits=0, misses=0, bytes=0, uncacheable=0)


def oracle_memo_stats() -> dict[str, int]:
    """Hits, misses, kept bytes and uncacheable calls since the memo was last cleared."""
    return dict(_stats, entries=len(_memo))
