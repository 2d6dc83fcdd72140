"""Shared fixtures for the framework's own tests."""

from __future__ import annotations

import pathlib
import shutil

import pytest

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
REPO = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def no_oracle_memo_on_disk(monkeypatch):
    """Each test grades as if no earlier run had left oracle memos on disk (autograder.testing.oracle_store):
    what a test sees must not depend on the tests before it. Tests of that memo turn it on (``oracle_cache``)."""
    monkeypatch.setenv("AUTOGRADER_ORACLE_CACHE", "off")


@pytest.fixture
def oracle_cache(tmp_path, monkeypatch) -> pathlib.Path:
    """A private folder for oracle memos on disk, turned on for this test."""
    folder = tmp_path / "oracle-cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("AUTOGRADER_ORACLE_CACHE", str(folder))
    return folder


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
