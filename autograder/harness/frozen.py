"""Frozen expected values for public tests.

A public test compares with values frozen from the reference solution, so the
released tests carry no reference code::

    def test_forward(submission, frozen):
        out, _ = submission.batchnorm_forward(x, gamma, beta, {"mode": "train"})
        frozen.check("forward_train.out", out)

When ``release`` runs the public tests against the reference solution, ``frozen``
is in *record* mode and stores ``out``; afterwards it compares with the stored
value using :func:`autograder.testing.assert_close`. Values live in one
``expected.npz`` per test module, next to it (``test_forward.py`` ->
``expected/test_forward.npz``).
"""

from __future__ import annotations

import pathlib

import numpy as np

from autograder.testing import assert_close

__all__ = ["FrozenValues", "MissingFrozenValue"]


class MissingFrozenValue(AssertionError):
    """A test asks for a frozen value that was never recorded (rerun ``autograder release``)."""


class FrozenValues:
    """Per-module store of expected values; one instance per test module.

    ``recording`` true: :meth:`check` stores ``actual``; false: compares with the store.
    """

    def __init__(self, path: pathlib.Path, recording: bool):
        self.path = path
        self.recording = recording
        self._values: dict[str, np.ndarray] = {}
        if not recording and path.is_file():
            with np.load(path, allow_pickle=False) as data:
                self._values = {key: data[key] for key in data.files}

    def check(self, key: str, actual, **assert_kwargs) -> None:
        """Record ``actual`` under ``key``, or assert it matches the recorded value."""
        if self.recording:
            if key in self._values:
                raise ValueError(f"frozen value '{key}' recorded twice")
            self._values[key] = np.array(actual)
            return
        if key not in self._values:
            raise MissingFrozenValue(f"no frozen value '{key}' in {self.path.name}; run `autograder release`")
        assert_kwargs.setdefault("name", key.split(".")[-1])
        assert_close(actual, self._values[key], **assert_kwargs)

    def value(self, key: str) -> np.ndarray:
        """The recorded value itself (for tests that compare in their own way)."""
        if key not in self._values:
            raise MissingFrozenValue(f"no frozen value '{key}' in {self.path.name}; run `autograder release`")
        return self._values[key]

    def save(self) -> None:
        if self.recording and self._values:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(self.path, **self._values)
