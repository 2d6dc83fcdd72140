"""``submission.value(name)``: a module-level value read from the worker (the ANSWERS of a question assignment)."""

import pytest

from autograder.harness.local import LocalSubmission, load_module_from_file
from autograder.errors import StudentCodeError
from autograder.harness.remote import RemoteSubmission

MODULE = '''
import numpy as np

ANSWERS = {"pick": "b", "several": ["a", "c"], "ratio": 8.5, "count": 12, "blank": None}
ARRAY = np.arange(3)
OPAQUE = object()

def function():
    return 1
'''


@pytest.fixture(params=["remote", "local"])
def submission(request, tmp_path, toy_spec):
    (tmp_path / "toy.py").write_text(MODULE)
    if request.param == "local":
        yield LocalSubmission(load_module_from_file(tmp_path / "toy.py"))
        return
    remote = RemoteSubmission.open(tmp_path, toy_spec, slot=6)
    yield remote
    remote.close()


def test_a_module_value_crosses_as_a_value(submission):
    assert submission.value("ANSWERS") == {"pick": "b", "several": ["a", "c"], "ratio": 8.5, "count": 12, "blank": None}
    assert list(submission.value("ARRAY")) == [0, 1, 2]


def test_a_missing_value_is_the_default_or_an_error(submission):
    assert submission.value("MALFORMED", default={}) == {}
    with pytest.raises((StudentCodeError, AttributeError), match="the submission defines no `MALFORMED`"):
        submission.value("MALFORMED")


def test_a_value_that_is_not_plain_is_refused_remotely(tmp_path, toy_spec):
    (tmp_path / "toy.py").write_text(MODULE)
    remote = RemoteSubmission.open(tmp_path, toy_spec, slot=6)
    try:
        with pytest.raises(StudentCodeError, match="OPAQUE|object"):
            remote.value("OPAQUE")
        assert remote.value("ANSWERS")["count"] == 12  # the worker is still there
    finally:
        remote.close()


def test_a_submission_that_does_not_load_reports_its_error(tmp_path, toy_spec):
    (tmp_path / "toy.py").write_text("ANSWERS = {\n")
    remote = RemoteSubmission.open(tmp_path, toy_spec, slot=6)
    try:
        with pytest.raises(StudentCodeError, match="could not load the submission: SyntaxError"):
            remote.value("ANSWERS")
    finally:
        remote.close()
