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


def test_hints_fire_on_their_mutants_only(toy_base, toy_spec):
    lines = []
    checks = {check.name: check for check in validate(toy_spec, jobs=2, seed=3, report=lines.append)}
    assert checks["hint no_chain_factor"].ok, lines
    assert "fires on backward_ignores_factor; silent on the reference, the stub and 1 other mutant(s)" in checks["hint no_chain_factor"].detail


def test_a_hint_that_names_a_mistake_the_mutant_did_not_make_fails(toy_base, toy_spec):
    mutants = toy_base / "solutions" / "toy" / "mutants"
    # This mutant returns dout too (the no_chain_factor wrong value) but declares nothing:
    # the hint fires where it was not declared, and validate must say so.
    (mutants / "identity_backward.py").write_text("# task: scale\n# Returns dout, also missing the factor.\n"
                                                  "def scale_backward(dout, cache):\n    return dout + 0.0\n")
    (mutants / "running_mean_not_stored.py").write_text(
        (mutants / "running_mean_not_stored.py").read_text().replace("# hint: running_not_stored", "# hint: no_such_hint"))
    checks = {check.name: check for check in validate(toy_spec, jobs=2, seed=3, report=lambda line: None)}
    assert not checks["hint no_chain_factor"].ok and "fired on mutant identity_backward" in checks["hint no_chain_factor"].detail
    assert not checks["hint running_not_stored"].ok and "no mutant declares it" in checks["hint running_not_stored"].detail
    assert not checks["mutants declare only known hints"].ok


def test_signatures_cover_the_methods_of_classes():
    """Stub and reference must agree on a class's constructor and forward, not only on functions."""
    from autograder.validate import _signatures

    reference = "class Block:\n    def __init__(self, a, stride=1):\n        pass\n\n    def forward(self, x):\n        pass\n"
    changed = reference.replace("stride=1", "stride=2")
    assert _signatures(reference)["Block"] == "__init__(self, a, stride=1); forward(self, x)"
    assert _signatures(reference) != _signatures(changed)
