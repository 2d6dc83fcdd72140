"""What a submission may import: the rule, its static scan for ``check``, and the spec field."""

import pathlib
import subprocess
import sys

import pytest

from autograder.spec import SpecError, load_spec
from autograder.student_imports import ImportRule, installed_third_party, refused_imports, with_dependencies

RULE = ImportRule.of(["torch"], ["numpy", "scipy"])
INSTALLED = frozenset({"numpy", "scipy", "sklearn", "torch", "pandas"})


def test_the_rule_refuses_forbidden_and_unlisted_third_party_packages():
    assert "forbidden" in RULE.refusal("torch", third_party=INSTALLED)
    message = RULE.refusal("sklearn", third_party=INSTALLED)
    assert message.startswith("No module named 'sklearn' when graded") and "standard library, numpy and scipy" in message
    for allowed in ["numpy", "scipy", "json", "_sysconfigdata__x86_64-linux-gnu", "not_installed_anywhere"]:
        assert RULE.refusal(allowed, third_party=INSTALLED) is None, allowed
    assert RULE.refusal("pandas", is_own_module=lambda name: name == "pandas", third_party=INSTALLED) is None


def test_without_student_packages_only_the_forbidden_ones_are_refused():
    rule = ImportRule.of(["torch"], None)
    assert rule.refusal("sklearn", third_party=INSTALLED) is None
    assert rule.refusal("torch", third_party=INSTALLED) is not None
    assert ImportRule.of([], []).describe_allowed() == "only the Python standard library"


def test_installed_third_party_lists_site_packages_and_not_the_standard_library():
    names = installed_third_party()
    assert {"numpy", "scipy", "sklearn", "torch"} <= names
    assert not names & {"json", "os", "sysconfig"}


def test_dependencies_of_allowed_packages_stay_importable():
    assert set(with_dependencies(("numpy", "scipy"))) == {"numpy", "scipy"}
    assert {"sklearn", "scipy", "numpy", "joblib", "threadpoolctl"} <= set(with_dependencies(("sklearn",)))


def test_the_static_scan_finds_refused_imports_anywhere_in_the_files(tmp_path):
    (tmp_path / "losses.py").write_text(
        "import numpy as np\nimport os, sklearn.metrics\nfrom scipy import special\nfrom . import helpers\n"
        "import helpers\n\ndef f():\n    import torch\n    from joblib import Parallel\n")
    (tmp_path / "helpers.py").write_text("import json\n")
    (tmp_path / "broken.py").write_text("def (:\n")
    found = refused_imports(RULE, tmp_path)
    assert [(r.file, r.line, r.module) for r in found] == [("losses.py", 2, "sklearn"), ("losses.py", 8, "torch"), ("losses.py", 9, "joblib")]
    assert str(found[0]).startswith("losses.py line 2 imports sklearn: No module named 'sklearn' when graded")


def _spec_with(tmp_path, line: str) -> pathlib.Path:
    root = tmp_path / "demo"
    root.mkdir()
    (root / "assignment.toml").write_text(
        f'id = "demo"\nmodule = "demo"\nforbidden_imports = ["torch"]\n{line}\n'
        '[[tasks]]\nid = "a"\ntitle = "A"\npoints = 1\nfunctions = ["f"]\n')
    return root


def test_student_packages_in_the_spec(tmp_path):
    spec = load_spec(_spec_with(tmp_path, 'student_packages = ["numpy", "scipy"]'))
    assert spec.student_packages == ("numpy", "scipy")
    assert spec.import_rule.allowed == frozenset({"numpy", "scipy"}) and spec.import_rule.forbidden == frozenset({"torch"})


@pytest.mark.parametrize("line, phrase", [('student_packages = "numpy"', "must be a list"),
                                          ('student_packages = ["numpy", "torch"]', "both forbidden and in student_packages")])
def test_bad_student_packages_are_explained(tmp_path, line, phrase):
    with pytest.raises(SpecError, match=phrase):
        load_spec(_spec_with(tmp_path, line))


def test_check_warns_about_an_import_the_grader_refuses(tmp_path):
    """check runs in-process where sklearn imports fine; it says the grader will refuse it."""
    reference = pathlib.Path(__file__).resolve().parent.parent / "solutions" / "losses" / "losses.py"
    submission = tmp_path / "mine.py"
    submission.write_text("from sklearn.metrics import f1_score  # noqa\n" + reference.read_text())
    completed = subprocess.run([sys.executable, "-m", "autograder.cli", "check", str(submission), "--assignment", "losses", "--task", "l1_mse"],
                               capture_output=True, text=True, timeout=300)
    assert "note: this import fails when graded: losses.py line 1 imports sklearn" in completed.stdout, completed.stdout + completed.stderr


def test_a_package_missing_from_the_container_gets_the_same_explanation():
    """In the docker worker venv sklearn is not installed at all: the message still says what can be imported."""
    explained = RULE.explain_missing("sklearn.metrics", "No module named 'sklearn'")
    assert explained == RULE.refusal("sklearn", third_party=frozenset({"sklearn"}))
    assert RULE.explain_missing("scipy", "No module named 'scipy'") == "No module named 'scipy'"
    assert RULE.explain_missing("_bz2", "No module named '_bz2'") == "No module named '_bz2'"


def test_the_refusal_names_own_modules_only_when_the_assignment_accepts_some():
    """A submission's other files reach the worker only when ``extra_files`` lists them: the message says so."""
    plain = RULE.refusal("sklearn", third_party=INSTALLED)
    assert plain == ("No module named 'sklearn' when graded: submissions to this assignment can import "
                     "the Python standard library, numpy and scipy")
    with_helpers = ImportRule.of(["torch"], ["numpy", "scipy"], own_modules=["utils", "helpers"])
    assert with_helpers.refusal("sklearn", third_party=INSTALLED).endswith(
        "the Python standard library, numpy, scipy and the submission's own modules helpers.py and utils.py")
    assert ImportRule.of([], [], own_modules=["helpers"]).describe_allowed() == "the Python standard library and the submission's own module helpers.py"


def test_the_spec_rule_takes_own_modules_from_extra_files(tmp_path):
    spec = load_spec(_spec_with(tmp_path, 'student_packages = ["numpy"]\nextra_files = ["helpers.py", "weights.json"]'))
    assert spec.import_rule.own_modules == ("helpers",)
    (tmp_path / "b").mkdir()
    assert load_spec(_spec_with(tmp_path / "b", 'student_packages = ["numpy"]')).import_rule.own_modules == ()


def test_the_worker_builds_the_same_rule_from_its_config(tmp_path):
    from autograder.worker import Worker

    config = {"fd_in": -1, "fd_out": -1, "source_dir": str(tmp_path), "forbidden": ["torch"], "student_packages": ["numpy"], "own_modules": ["helpers"]}
    assert Worker(config).import_rule == ImportRule.of(["torch"], ["numpy"], ["helpers"])
