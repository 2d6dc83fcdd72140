"""validate proves an assignment's tests, and fails when a mutant slips through."""

from autograder.validate import validate


def test_toy_assignment_validates(toy_spec):
    lines = []
    checks = validate(toy_spec, jobs=2, seed=3, report=lines.append)
    assert all(check.ok for check in checks), lines
    assert any("mutant backward_ignores_factor caught on scale" in line for line in lines)


def test_an_uncaught_mutant_fails_validation(toy_base, toy_spec):
    (toy_base / "solutions" / "toy" / "mutants" / "harmless.py").write_text(
        "# task: scale\n# Same behaviour written differently: the tests cannot catch it.\n"
        "def scale_backward(dout, cache):\n    return cache['factor'] * dout\n")
    checks = {check.name: check for check in validate(toy_spec, jobs=2, seed=3, report=lambda line: None)}
    assert not checks["mutant harmless caught on scale"].ok
    assert checks["mutant backward_ignores_factor caught on scale"].ok


def test_signatures_cover_the_methods_of_classes():
    """Stub and reference must agree on a class's constructor and forward, not only on functions."""
    from autograder.validate import _signatures

    reference = "class Block:\n    def __init__(self, a, stride=1):\n        pass\n\n    def forward(self, x):\n        pass\n"
    changed = reference.replace("stride=1", "stride=2")
    assert _signatures(reference)["Block"] == "__init__(self, a, stride=1); forward(self, x)"
    assert _signatures(reference) != _signatures(changed)
