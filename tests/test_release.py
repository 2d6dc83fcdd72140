"""release: solution regions become stubs naming their task; --check notices drift."""

import ast

import pytest

from autograder.release import ReleaseError, check_release, make_stub, release


def test_stub_raises_not_implemented_naming_the_task(toy_spec, toy_reference):
    stub = make_stub(toy_reference, toy_spec)
    assert 'raise NotImplementedError("scale: implement scale_forward")' in stub
    assert 'raise NotImplementedError("stats: implement apply_twice")' in stub
    assert "BEGIN SOLUTION" not in stub and "cache = {" not in stub
    ast.parse(stub)
    assert '"""Multiply by a scalar. x: (N, D) -> (out (N, D), cache)."""' in stub  # docstrings ship


@pytest.mark.parametrize("source, phrase", [
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "without END"),
    ("def f():\n    return 1\n    # END SOLUTION\n", "without BEGIN"),
    ("# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n", "inside a function"),
])
def test_malformed_regions_are_refused(toy_spec, source, phrase):
    with pytest.raises(ReleaseError, match=phrase):
        make_stub(source, toy_spec)


def test_release_check_detects_drift_and_hidden_tests_never_ship(toy_base):
    solutions, assignments = toy_base / "solutions" / "toy", toy_base / "assignments"
    assert check_release(solutions, assignments) == []
    released = assignments / "toy"
    assert not list(released.rglob("*hidden*")) and not (released / "mutants").exists()
    assert "BEGIN SOLUTION" not in (released / "toy.py").read_text()
    (solutions / "toy.py").write_text((solutions / "toy.py").read_text().replace("Multiply by a scalar", "Scale"))
    assert any("toy.py is out of date" in p for p in check_release(solutions, assignments))
    release(solutions, assignments)
    assert check_release(solutions, assignments) == []
