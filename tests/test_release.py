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


def test_a_method_region_names_its_class_and_the_task_of_the_class(toy_spec):
    """Regions in ``__init__``/``forward`` of a class (torch modules) name the task that lists the class."""
    import dataclasses

    from autograder.spec import Task

    spec = dataclasses.replace(toy_spec, tasks=toy_spec.tasks + (Task("block", "A block", 1.0, ("Block",)),))
    source = (
        "class Block:\n"
        "    expansion = 1\n\n"
        "    def __init__(self, n):\n        # BEGIN SOLUTION\n        self.n = n\n        # END SOLUTION\n\n"
        "    def forward(self, x):\n        # BEGIN SOLUTION\n        return x * self.n\n        # END SOLUTION\n"
    )
    stub = make_stub(source, spec)
    assert 'raise NotImplementedError("block: implement Block.__init__")' in stub
    assert 'raise NotImplementedError("block: implement Block.forward")' in stub
    assert "expansion = 1" in stub and "self.n = n" not in stub
