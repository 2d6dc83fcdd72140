"""Wheelhouses for the tests that install into a fresh environment with no network
(containers run with --network none; fresh venvs install with PIP_NO_INDEX).

Collected on the host with ``pip download`` (autograder.image.collect_wheelhouse) from
requirements pinned to this machine's versions, and cached in ``$AG_CACHE`` (default
``~/.cache/autograder``): a second run takes a second. ``AG_TORCH_INDEX`` adds an index
for torch's CPU wheels where the host's pip configuration has none.
"""

from __future__ import annotations

import os
import pathlib

CACHE = pathlib.Path(os.environ.get("AG_CACHE", pathlib.Path.home() / ".cache" / "autograder"))

#: what `pip install "<kit>[oracles]"` needs (setuptools builds the kit), and the assignments' student packages
GRADER_PACKAGES = ("numpy", "pytest", "torch", "scikit-learn", "scipy", "setuptools")
#: what `pip install "<kit>[student]"` needs
STUDENT_PACKAGES = ("numpy", "pytest", "matplotlib", "ipykernel", "setuptools")


def wheelhouse(name: str, packages: tuple[str, ...]) -> pathlib.Path:
    """``CACHE/wheels-<name>`` holding ``packages`` and their dependencies, pinned to the versions installed here."""
    from autograder.formats.gradescope_package import pinned_requirements
    from autograder.image import collect_wheelhouse

    directory = CACHE / f"wheels-{name}"
    extra = ["--extra-index-url", os.environ["AG_TORCH_INDEX"]] if os.environ.get("AG_TORCH_INDEX") else []
    collect_wheelhouse(directory, pinned_requirements(packages), extra)
    return directory


def offline_pip_environment(directory: pathlib.Path) -> dict[str, str]:
    """Environment variables that make pip install from ``directory`` only."""
    return {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(directory), "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_CONFIG_FILE": os.devnull}
