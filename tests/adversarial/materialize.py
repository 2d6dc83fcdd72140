"""Turn the case files of this folder into submission files in a scratch directory.

A case is a file in tests/adversarial/ whose name starts with its number in
ADVERSARIAL.md. Plain ``.py`` / ``.ipynb`` files are submissions as they are;
``NAME.build.py`` files are trusted scripts whose ``build(directory)`` writes the
submission (binary files, zips, encodings) and returns its path.
"""

from __future__ import annotations

import importlib.util
import pathlib
import shutil
import tomllib

__all__ = ["CASES_DIR", "load_cases", "materialize"]

CASES_DIR = pathlib.Path(__file__).resolve().parent


def load_cases() -> dict[str, dict]:
    """``cases.toml``: case file name -> expected outcome."""
    return tomllib.loads((CASES_DIR / "cases.toml").read_text(encoding="utf-8"))["cases"]


def case_name(file_name: str) -> str:
    """The submission's name in the results: the file name without ``.build.py`` / extension."""
    for suffix in (".build.py", ".py", ".ipynb", ".zip"):
        if file_name.endswith(suffix):
            return file_name[: -len(suffix)]
    return file_name


def materialize(file_name: str, directory: pathlib.Path) -> pathlib.Path:
    """Write the submission of case ``file_name`` into ``directory``; return its path."""
    source = CASES_DIR / file_name
    if file_name.endswith(".build.py"):
        spec = importlib.util.spec_from_file_location(f"case_{case_name(file_name)}", source)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return pathlib.Path(module.build(directory))
    target = directory / file_name
    shutil.copyfile(source, target)
    return target
