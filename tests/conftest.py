"""Shared fixtures for the framework's own tests."""

from __future__ import annotations

import pathlib
import shutil

import pytest

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
REPO = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture
def toy_base(tmp_path) -> pathlib.Path:
    """A private copy of tests/fixtures (solutions/toy and its release) to grade against."""
    base = tmp_path / "course"
    shutil.copytree(FIXTURES, base, ignore=shutil.ignore_patterns("__pycache__"))
    return base


@pytest.fixture
def toy_spec(toy_base):
    from autograder.spec import load_spec

    return load_spec(toy_base / "solutions" / "toy")


@pytest.fixture
def toy_reference(toy_base) -> str:
    return (toy_base / "solutions" / "toy" / "toy.py").read_text()
