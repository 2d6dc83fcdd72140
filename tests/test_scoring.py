"""Scoring: points x fraction passed; no outcome = failed; grader problems are never a zero."""

import pytest

from autograder.outcomes import score_outcomes


def outcomes(*tests, **extra):
    payload = {"tests": [dict(name=n, task=t, outcome=o, message="") for n, t, o in tests], "seed": 5}
    payload.update(extra)
    return payload


def test_partial_credit_per_task(toy_spec):
    result = score_outcomes(toy_spec, "s", outcomes(("a", "scale", "passed"), ("b", "scale", "failed"), ("c", "scale", "not_run"), ("d", "stats", "passed")))
    assert result.status == "ok"
    assert [t.score for t in result.tasks] == [pytest.approx(2 / 3), 1.0]
    assert result.score == pytest.approx(5 / 3) and result.max_score == 3


def test_load_error_is_a_student_error(toy_spec):
    result = score_outcomes(toy_spec, "s", outcomes(("a", "scale", "failed"), ("d", "stats", "failed"), load_error="SyntaxError in toy.py line 1"))
    assert result.status == "student_error" and "SyntaxError" in result.message and result.score == 0


@pytest.mark.parametrize("payload, phrase", [
    (outcomes(("a", "scale", "passed")), "task stats has no tests"),
    (outcomes(("a", "scale", "passed"), ("d", "stats", "passed"), ("e", None, "passed")), "names no known task"),
    (outcomes(("a", "scale", "passed"), ("d", "stats", "passed"), collection_errors=["test_x.py: ImportError"]), "ImportError"),
    (outcomes(("a", "scale", "grader_fault"), ("d", "stats", "passed")), "a: "),
])
def test_grader_problems_are_grader_errors(toy_spec, payload, phrase):
    result = score_outcomes(toy_spec, "s", payload)
    assert result.status == "grader_error" and phrase in result.message


def test_gpu_tests_without_a_gpu(toy_spec):
    payload = outcomes(("a", "scale", "passed"), ("g", "scale", "grader_skipped"), ("d", "stats", "passed"))
    not_requested = score_outcomes(toy_spec, "s", payload)
    assert not_requested.status == "ok" and not_requested.score == 3
    assert not_requested.notes == ["scale: 1 test that needs a GPU was not run (grade with --gpus to include it)"]
    requested = score_outcomes(toy_spec, "s", payload, gpu_requested=True)
    assert requested.status == "grader_error"
