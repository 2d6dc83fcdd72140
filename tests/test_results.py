"""Result files: Gradescope schema, CSV that stays valid and safe, Markdown feedback."""

import csv
import json

from autograder.outcomes import score_outcomes
from autograder.results import clean_text, gradescope_json, write_csv, write_submission_files


def make(toy_spec, name="alice", status=None):
    result = score_outcomes(toy_spec, name, {"tests": [
        {"name": "t1", "task": "scale", "outcome": "failed", "message": "dx: shape (3,) expected (2, 3)\x1b[31m", "doc": "backward"},
        {"name": "t2", "task": "stats", "outcome": "passed"}], "output": "printed \xff\x00 text", "seed": 1})
    if status:
        result.status = status
        result.message = "the worker did not start"
    return result


def test_grader_error_has_no_score(toy_spec):
    payload = gradescope_json(make(toy_spec, status="grader_error"))
    assert "score" not in payload and payload["tests"] == [] and payload["extra_data"]["status"] == "grader_error"
    assert "not your submission" in payload["output"]


def test_files_are_clean_utf8(tmp_path, toy_spec):
    result = make(toy_spec)
    folder = write_submission_files(tmp_path, result)
    payload = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert payload["tests"][0]["status"] == "failed" and "\x1b" not in payload["tests"][0]["output"]
    feedback = (folder / "feedback.md").read_text(encoding="utf-8")
    assert "backward" in feedback and "\x00" not in feedback


def test_csv_defuses_formulas_and_leaves_grader_errors_blank(tmp_path, toy_spec):
    rows = [make(toy_spec, name="=HYPERLINK(1)"), make(toy_spec, name="bob", status="grader_error")]
    write_csv(tmp_path / "g.csv", rows, ["scale", "stats"])
    data = (tmp_path / "g.csv").read_bytes()
    data.decode("utf-8")
    parsed = list(csv.DictReader(data.decode().splitlines()))
    assert parsed[0]["name"] == "'=HYPERLINK(1)" and parsed[0]["total"] == "1"
    assert parsed[1]["status"] == "grader_error" and parsed[1]["total"] == "" and parsed[1]["scale"] == ""


def test_clean_text_caps():
    assert clean_text("a" * 50, limit=10).startswith("a" * 10) and "truncated" in clean_text("a" * 50, limit=10)
