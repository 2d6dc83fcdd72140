"""`autograder grade` end to end through the real CLI, process sandbox, real worker processes."""

import csv
import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from autograder.release import make_stub

GRADESCOPE_TEST_FIELDS = {"name", "score", "max_score", "status", "output", "visibility", "tags"}


def grade(base, out, *paths, extra=()):
    command = [sys.executable, "-m", "autograder.cli", "--base", str(base), "grade", "--assignment", "toy", "--out", str(out),
               "--seed", "1234", "--quiet", *extra, *map(str, paths)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return completed


def read_results(out, name):
    return json.loads((out / name / "results.json").read_text())


def assert_gradescope_schema(payload, task_ids):
    assert isinstance(payload["execution_time"], (int, float)) and isinstance(payload["output"], str)
    assert payload["extra_data"]["status"] in ("ok", "student_error", "grader_error")
    if payload["extra_data"]["status"] == "grader_error":
        assert "score" not in payload and payload["tests"] == []
        return
    assert isinstance(payload["score"], (int, float))
    assert [t["tags"] for t in payload["tests"]] == [[task_id] for task_id in task_ids]
    for test in payload["tests"]:
        assert GRADESCOPE_TEST_FIELDS <= set(test)
        assert test["status"] in ("passed", "failed") and 0 <= test["score"] <= test["max_score"]
    assert payload["score"] == pytest.approx(sum(t["score"] for t in payload["tests"]))


def test_reference_stub_and_broken_submissions(toy_base, toy_spec, toy_reference, tmp_path):
    submissions = tmp_path / "subs"
    submissions.mkdir()
    (submissions / "solution.py").write_text(toy_reference)
    (submissions / "stub.py").write_text(make_stub(toy_reference, toy_spec))
    (submissions / "half.py").write_text(toy_reference.replace("return dout * cache[\"factor\"]", "return dout"))
    (submissions / "syntax.py").write_text("def scale_forward(x f):\n")
    (submissions / "junk.py").write_bytes(b"%PDF-1.4 not python")
    out = tmp_path / "out"
    completed = grade(toy_base, out, *sorted(submissions.iterdir()), extra=["--format", "junit", "--jobs", "2"])
    assert "graded 5 submission(s)" in completed.stdout

    solution = read_results(out, "solution")
    assert_gradescope_schema(solution, ["scale", "stats"])
    assert solution["score"] == 3 and solution["extra_data"]["status"] == "ok" and solution["extra_data"]["seed"] == 1234
    stub = read_results(out, "stub")
    assert stub["score"] == 0 and stub["extra_data"]["status"] == "ok"
    assert "NotImplementedError: scale: implement scale_forward" in stub["tests"][0]["output"]
    half = read_results(out, "half")
    assert half["tests"][0]["score"] == pytest.approx(2 * 2 / 3) and half["tests"][1]["score"] == 1
    assert "dx" in half["tests"][0]["output"]
    syntax = read_results(out, "syntax")
    assert syntax["extra_data"]["status"] == "student_error" and "SyntaxError in toy.py line 1" in syntax["output"]
    junk = read_results(out, "junk")
    assert junk["extra_data"]["status"] == "student_error" and "PDF" in junk["output"]

    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert [r["name"] for r in rows] == ["half", "junk", "solution", "stub", "syntax"]
    assert rows[2] == {"name": "solution", "status": "ok", "total": "3", "max": "3", "scale": "2", "stats": "1"}
    feedback = (out / "half" / "feedback.md").read_text()
    assert "**Score: 2.33333 / 3**" in feedback and "backward through the cache" in feedback
    suites = ET.parse(out / "junit.xml").getroot()
    assert len(suites.findall("testsuite")) == 5


def test_misbehaving_submissions_cost_only_their_own_tests(toy_base, toy_reference, tmp_path):
    """A loop, an exit and a flood of output in one submission: the other functions keep their points."""
    hostile = toy_reference.replace('    """f(f(x)) for a callable f of an array."""', '    """f(f(x))"""\n    while True:\n        pass')
    hostile = hostile.replace('    """Gradient of scale_forward. dout: (N, D) -> dx (N, D)."""', '    """g"""\n    print("junk " * 1000)\n    import os\n    os._exit(3)')
    path = tmp_path / "hostile.py"
    path.write_text(hostile)
    out = tmp_path / "out"
    grade(toy_base, out, path)
    result = read_results(out, "hostile")
    scale, stats = result["tests"]
    assert scale["score"] == pytest.approx(2 * 2 / 3)  # the two forward tests pass, backward exits
    assert stats["score"] == pytest.approx(0.5)        # running mean passes, apply_twice times out
    assert "timed out after 3 s in `apply_twice`" in stats["output"]
    assert "exited with code 3" in scale["output"]


def test_a_batch_with_bad_files_gives_one_row_each(toy_base, toy_reference, tmp_path):
    paths = []
    for index in range(6):
        path = tmp_path / f"s{index}.py"
        path.write_text(["", "while True: pass", "import os; os._exit(1)", toy_reference, "print('x'*10**7)", "raise SystemExit"][index])
        paths.append(path)
    out = tmp_path / "out"
    grade(toy_base, out, *paths, extra=["--jobs", "2"])
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert len(rows) == 6
    by_name = {r["name"]: r for r in rows}
    assert by_name["s3"]["total"] == "3"
    assert all(by_name[f"s{i}"]["status"] == "student_error" for i in (0, 1, 2, 5))
    assert by_name["s4"]["status"] == "ok" and by_name["s4"]["total"] == "0"
