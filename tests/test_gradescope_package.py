"""`autograder gradescope` (the zip) and `run_autograder` (autograder.formats.gradescope_run), on this machine.

The same run inside a container laid out like Gradescope's image is tests/test_gradescope_container.py.
These run it as a subprocess with the paths passed in, the process sandbox, and the toy assignment.
"""

import io
import json
import pathlib
import subprocess
import sys
import zipfile

import jsonschema
import pytest

from autograder.owner import SubmissionOwner, owner_from_gradescope

SCHEMA = json.loads((pathlib.Path(__file__).parent / "schemas" / "gradescope_results.schema.json").read_text())

OWNER_TEST = '''
import pytest


@pytest.mark.task("stats")
def test_owner_is_known(submission, owner):
    """the run knows whose submission it grades"""
    assert owner is not None, "no owner"
    assert owner.email == "ann.lee@uni.edu" and owner.members == ("ann.lee@uni.edu", "bo@uni.edu")
    assert owner.variant(5, "q1") == SubmissionOwner.variant(owner, 5, "q1") in range(5)


from autograder.owner import SubmissionOwner
'''

METADATA = {
    "id": 123456, "created_at": "2026-11-01T14:22:32.365935-07:00",
    "assignment": {"id": 25828, "title": "Toy", "total_points": "3.0"},
    "users": [{"email": "bo@uni.edu", "id": 1235, "name": "Bo Chen"}, {"email": "ann.lee@uni.edu", "id": 1234, "name": "Ann Lee"}],
    "previous_submissions": [],
}


def run_autograder(assignment, submission, tmp_path, metadata=METADATA, extra=()):
    results = tmp_path / "results" / "results.json"
    metadata_path = tmp_path / "submission_metadata.json"
    if metadata is not None:
        metadata_path.write_text(json.dumps(metadata))
    command = [sys.executable, "-m", "autograder.formats.gradescope_run", "--assignment", str(assignment), "--submission", str(submission),
               "--metadata", str(metadata_path), "--results", str(results), "--sandbox", "process", "--seed", "7", *extra]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    payload = json.loads(results.read_text()) if results.is_file() else None
    return completed, payload


@pytest.fixture
def toy_with_owner_test(toy_base):
    assignment = toy_base / "solutions" / "toy"
    (assignment / "tests" / "hidden" / "test_owner.py").write_text(OWNER_TEST)
    return assignment


def test_zip_layout(toy_base, tmp_path):
    out = tmp_path / "autograder.zip"
    command = [sys.executable, "-m", "autograder.cli", "--base", str(toy_base), "gradescope", "toy", "--out", str(out)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        requirements = archive.read("requirements.txt").decode().split()
    assert names[:3] == ["setup.sh", "run_autograder", "requirements.txt"]
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert "assignment/assignment.toml" in names and "assignment/tests/hidden/test_toy_hidden.py" in names
    assert "assignment/toy.py" in names and "autograder/formats/gradescope_run.py" in names
    assert not any("mutants" in name or "__pycache__" in name for name in names)
    import numpy
    import pytest as pytest_module
    assert f"numpy=={numpy.__version__}" in requirements and f"pytest=={pytest_module.__version__}" in requirements
    assert all("==" in line for line in requirements)
    # The same inputs give the same bytes (the container test tags its image by them).
    again = tmp_path / "again.zip"
    subprocess.run(command[:-1] + [str(again)], check=True, capture_output=True, timeout=120)
    assert again.read_bytes() == out.read_bytes()


def test_zip_refuses_a_release_without_hidden_tests(toy_base, tmp_path):
    from autograder.formats.gradescope_package import PackageError, build_gradescope_zip
    from autograder.spec import load_spec

    with pytest.raises(PackageError, match="no tests/hidden"):
        build_gradescope_zip(load_spec(toy_base / "assignments" / "toy"), tmp_path / "x.zip")


def test_run_grades_names_the_owner_and_follows_the_schema(toy_with_owner_test, toy_reference, tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "toy.py").write_text(toy_reference)
    completed, payload = run_autograder(toy_with_owner_test, submission, tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "sandbox: process" in completed.stdout and "owner: ann.lee@uni.edu (Gradescope user 1234, group of 2)" in completed.stdout
    jsonschema.validate(payload, SCHEMA)
    assert payload["score"] == 3 and payload["extra_data"]["status"] == "ok" and payload["extra_data"]["seed"] == 7
    assert payload["extra_data"]["owner"] == {"id": "1234", "email": "ann.lee@uni.edu", "name": "Ann Lee", "members": ["ann.lee@uni.edu", "bo@uni.edu"]}
    assert payload["output_format"] == "text" and payload["extra_data"]["sandbox"] == "process"

    # Without metadata the owner fixture is None: the owner test fails, nothing else changes.
    (tmp_path / "second").mkdir()
    completed, payload = run_autograder(toy_with_owner_test, submission, tmp_path / "second", metadata=None)
    assert completed.returncode == 0 and "owner: unknown" in completed.stdout
    jsonschema.validate(payload, SCHEMA)
    stats = next(test for test in payload["tests"] if test["tags"] == ["stats"])
    assert payload["score"] == pytest.approx(2 + 2 / 3) and "no owner" in stats["output"]


def test_a_zip_uploaded_into_the_submission_folder_is_graded(toy_spec, toy_reference, tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("work/toy.py", toy_reference)
    (submission / "toy_submission.zip").write_bytes(buffer.getvalue())
    completed, payload = run_autograder(toy_spec.root, submission, tmp_path)
    assert completed.returncode == 0, completed.stdout
    assert payload["score"] == 3


def test_unreadable_submission_is_the_students_zero_with_a_reason(toy_spec, tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "toy.py").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    completed, payload = run_autograder(toy_spec.root, submission, tmp_path)
    assert completed.returncode == 0
    jsonschema.validate(payload, SCHEMA)
    assert payload["score"] == 0 and payload["extra_data"]["status"] == "student_error"
    assert "could not be graded" in payload["output"]


def test_grader_fault_writes_no_results_and_fails_the_run(toy_base, toy_reference, tmp_path):
    assignment = toy_base / "solutions" / "toy"
    (assignment / "tests" / "hidden" / "test_broken.py").write_text("import pytest\n\ndef test_x(:\n")
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "toy.py").write_text(toy_reference)
    stale = tmp_path / "results" / "results.json"
    stale.parent.mkdir()
    stale.write_text('{"score": 100}')  # left by a submission, or an earlier run
    completed, payload = run_autograder(assignment, submission, tmp_path)
    assert completed.returncode == 1 and payload is None and not stale.exists()
    assert "status: grader_error" in completed.stdout and "Gradescope reports a failed run" in completed.stdout


def test_check_mode_grades_the_reference(toy_spec):
    command = [sys.executable, "-m", "autograder.formats.gradescope_run", "--check", "--assignment", str(toy_spec.root), "--sandbox", "process"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout
    assert "check passed" in completed.stdout and "score: 3 / 3" in completed.stdout


def test_check_mode_fails_a_broken_image(toy_base):
    assignment = toy_base / "solutions" / "toy"
    reference = assignment / "toy.py"
    reference.write_text(reference.read_text().replace("return dout * cache[\"factor\"]", "return dout"))
    command = [sys.executable, "-m", "autograder.formats.gradescope_run", "--check", "--assignment", str(assignment), "--sandbox", "process"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 1 and "check FAILED" in completed.stdout


def test_owner_from_gradescope_metadata():
    owner = owner_from_gradescope(METADATA)
    assert (owner.id, owner.email, owner.name, owner.source) == ("1234", "ann.lee@uni.edu", "Ann Lee", "gradescope")
    # The same owner whichever member uploaded, and the same variant every run.
    swapped = owner_from_gradescope({**METADATA, "users": METADATA["users"][::-1]})
    assert swapped == owner and swapped.variant(7, "q2") == owner.variant(7, "q2")
    # Ids compare as numbers: user 999 comes before user 1000.
    numeric = owner_from_gradescope({"users": [{"id": 1000, "email": "a@x"}, {"id": 999, "email": "b@x"}]})
    assert numeric.id == "999"
    assert owner_from_gradescope({"users": []}) is None and owner_from_gradescope({}) is None
    assert SubmissionOwner.from_json(owner.to_json()) == owner
    variants = {SubmissionOwner(id=str(i)).variant(4) for i in range(200)}
    assert variants == {0, 1, 2, 3}
