"""``torch`` and ``torch.nn.functional`` for hidden tests, imported on first use.

    from autograder.testing.lazy_torch import F, torch

Importing torch takes about two seconds. A hidden test module that imports it at the
top makes every harness pay that at collection, even when every reference value the
tests need comes from the oracle memo on disk (:mod:`autograder.testing.oracle_store`)
and torch is never called. These two stand-ins are modules whose attributes import
the real one on first access (``torch.tensor``, ``F.softmax``, ``torch.Tensor`` in an
``isinstance``), and are then the real module's attributes. Private names (``torch._C``)
are not reached through them: import torch for those.
"""

from __future__ import annotations

import importlib
import types

__all__ = ["F", "LazyModule", "torch"]


class LazyModule(types.ModuleType):
    """A module that imports ``name`` when one of its attributes is first read."""

    def __getattr__(self, attribute: str):
        if attribute.startswith("_"):
            # Private and special names are what tools probe any object for (pytest's collection
            # asks every module-level name for ``_mock_name``; copy, pickle, fingerprints for
            # dunders): no reason to import. Tests use torch's public names.
            raise AttributeError(attribute)
        real = importlib.import_module(self.__name__)
        self.__dict__.update({key: value for key, value in vars(real).items() if not key.startswith("__")})
        return getattr(real, attribute)


torch = LazyModule("torch")
F = LazyModule("torch.nn.functional")
