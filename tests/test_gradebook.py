"""The gradebook: SQLite rows per attempt and per task, ``--resume``, ``export``, and a real SIGKILL mid-batch."""

from __future__ import annotations

import csv
import json
import os
import pathlib
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent / "adversarial"))

from course import REFERENCE, write_course  # noqa: E402

from autograder.gradebook import Gradebook  # noqa: E402
from autograder.outcomes import SubmissionResult, TaskResult  # noqa: E402
from autograder.outcomes import TestOutcome as OutcomeOfTest  # noqa: E402  (not a test class)

REPO = pathlib.Path(__file__).resolve().parent.parent


def _result(name: str, status: str = "ok", score: float = 1.0) -> SubmissionResult:
    test = OutcomeOfTest(name="test_a", task="scale", outcome="passed" if score else "failed", message="" if score else "wrong")
    task = TaskResult("scale", "Scale", 1.0, score=score, passed=int(bool(score)), total=1, tests=[test])
    return SubmissionResult(name=name, assignment="hx", status=status, tasks=[task], seed=7, execution_time=0.5, submission_hash="h-" + name)


def test_round_trip_and_latest(tmp_path):
    with Gradebook(tmp_path / "gb.sqlite") as gradebook:
        gradebook.record(_result("alice", score=0.0), path="alice.py", assignment_version="7", sandbox="process")
        gradebook.record(_result("alice", score=1.0), path="alice.py", assignment_version="7", sandbox="process")
        gradebook.record(_result("bob", status="grader_error", score=0.0), path="bob.py", assignment_version="7", sandbox="process")
        latest = {result.name: result for result in gradebook.latest_results("hx")}
        assert latest["alice"].score == 1.0 and latest["bob"].status == "grader_error"
        assert gradebook.finished("hx", "alice", "h-alice").score == 1.0
        assert gradebook.finished("hx", "bob", "h-bob") is None, "a grader error is never a finished result"
        assert gradebook.finished("hx", "alice", "other-hash") is None, "new content is graded again"
        assert gradebook.task_ids("hx") == ["scale"]
    rows = sqlite3.connect(tmp_path / "gb.sqlite").execute("SELECT name, status, score, assignment_version, grader_version FROM attempts ORDER BY id").fetchall()
    assert rows[2] == ("bob", "grader_error", None, "7", __import__("autograder").__version__), "grader errors have no score, never 0"
    assert SubmissionResult.from_json(_result("x").to_json()) == _result("x")


def _grader_env(scratch: pathlib.Path) -> dict[str, str]:
    env = dict(os.environ, TMPDIR=str(scratch), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONPATH=str(REPO))
    return env


def _grade(base, out, paths, scratch, *extra, wait=True):
    command = [sys.executable, "-m", "autograder.cli", "--base", str(base), "grade", "--assignment", "hx", "--sandbox", "process",
               "--quiet", "--seed", "1", "--out", str(out), *extra, *map(str, paths)]
    if not wait:
        return subprocess.Popen(command, env=_grader_env(scratch), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    completed = subprocess.run(command, env=_grader_env(scratch), capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed


def _submissions(directory: pathlib.Path, count: int, slow: float = 0.0) -> list[pathlib.Path]:
    """``count`` distinct correct submissions; each call sleeps ``slow`` seconds in ``scale``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        body = REFERENCE.replace("    return a * x\n", f"    import time\n    time.sleep({slow})\n    return a * x  # student {index}\n")
        path = directory / f"student{index:03d}.py"
        path.write_text(body)
        paths.append(path)
    return paths


def _attempts(gradebook: pathlib.Path) -> list[tuple]:
    return sqlite3.connect(gradebook).execute("SELECT id, name, status, score FROM attempts ORDER BY id").fetchall()


def _recorded_so_far(gradebook: pathlib.Path) -> int:
    """How many attempts a running grader has recorded (0 while it is still creating the file)."""
    try:
        return len(_attempts(gradebook)) if gradebook.exists() else 0
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_grade_records_exports_and_resumes(tmp_path):
    base = write_course(tmp_path / "course")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    paths = _submissions(tmp_path / "subs", 2)
    out = tmp_path / "out"
    _grade(base, out, paths, scratch)
    gradebook = out / "gradebook.sqlite"
    rows = _attempts(gradebook)
    assert [(name, status, score) for _, name, status, score in rows] == [("student000", "ok", 6.0), ("student001", "ok", 6.0)]
    db = sqlite3.connect(gradebook)
    assert db.execute("SELECT COUNT(*) FROM task_scores").fetchone()[0] == 6
    version, started, duration, digest = db.execute("SELECT assignment_version, started_at, duration_s, submission_hash FROM attempts").fetchone()
    from autograder.spec import load_spec, source_hash

    assert version == "7+" + source_hash(base / "solutions" / "hx")[:12] and started > 0 and duration > 0 and len(digest) == 64
    assert json.loads((out / "student000" / "results.json").read_text())["extra_data"]["assignment_version"] == version

    paths[1].write_text(paths[1].read_text().replace("return a * x", "return x"))  # a new version of one submission
    _grade(base, out, paths, scratch, "--resume")
    rows = _attempts(gradebook)
    assert [name for _, name, _, _ in rows] == ["student000", "student001", "student001"], "only the changed file is graded again"
    assert rows[-1][3] == 5.0

    _grade(base, out, paths, scratch, "--resume")
    assert len(_attempts(gradebook)) == 3, "nothing left to grade"

    # The tests changed since: a resumed batch grades everything again, with the new tests.
    hidden = next((base / "solutions" / "hx" / "tests" / "hidden").glob("test_*.py"))
    hidden.write_text(hidden.read_text() + "\n# a comment is a change too\n")
    _grade(base, out, paths, scratch, "--resume")
    rows = _attempts(gradebook)
    assert [name for _, name, _, _ in rows[3:]] == ["student000", "student001"], "graded again after the tests changed"
    assert load_spec(base / "solutions" / "hx").version == "7"

    export_csv = tmp_path / "export.csv"
    subprocess.run([sys.executable, "-m", "autograder.cli", "export", "csv", "--gradebook", str(gradebook), "--out", str(export_csv)],
                   check=True, env=_grader_env(scratch), capture_output=True)
    assert export_csv.read_text() == (out / "grades.csv").read_text()
    export_dir = tmp_path / "gradescope"
    subprocess.run([sys.executable, "-m", "autograder.cli", "export", "gradescope", "--gradebook", str(gradebook), "--out", str(export_dir)],
                   check=True, env=_grader_env(scratch), capture_output=True)
    assert json.loads((export_dir / "student001" / "results.json").read_text())["score"] == 5.0


@pytest.mark.slow
def test_grader_error_is_graded_again_on_resume(tmp_path):
    base = write_course(tmp_path / "course")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    paths = _submissions(tmp_path / "subs", 1)
    out = tmp_path / "out"
    from autograder.grading import submission_hash

    failed = _result("student000", status="grader_error", score=0.0)
    failed.submission_hash = submission_hash(paths[0])
    with Gradebook(out / "gradebook.sqlite") as gradebook:
        gradebook.record(failed, path=paths[0], assignment_version="7", sandbox="process")
    _grade(base, out, paths, scratch, "--resume")
    assert [(status, score) for _, _, status, score in _attempts(out / "gradebook.sqlite")] == [("grader_error", None), ("ok", 6.0)]


def _batch_under_way(tmp_path: pathlib.Path, recorded: int):
    """Start grading 8 slow submissions with 2 jobs; return once ``recorded`` results are in the gradebook.

    Returns ``(course base, scratch TMPDIR, submission paths, out dir, the running grader)``.
    """
    base = write_course(tmp_path / "course")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    paths = _submissions(tmp_path / "subs", 8, slow=0.3)
    out = tmp_path / "out"
    grader = _grade(base, out, paths, scratch, "--jobs", "2", wait=False)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and grader.poll() is None:
        if _recorded_so_far(out / "gradebook.sqlite") >= recorded:
            break
        time.sleep(0.1)
    assert grader.poll() is None, "the batch finished before it could be interrupted"
    return base, scratch, paths, out, grader


@pytest.mark.slow
def test_sigkill_mid_batch_then_resume_gives_one_result_each(tmp_path):
    """A real SIGKILL of the grader while it grades; ``--resume`` finishes: one result per submission, none doubled."""
    base, scratch, paths, out, grader = _batch_under_way(tmp_path, recorded=3)
    gradebook = out / "gradebook.sqlite"
    os.kill(grader.pid, signal.SIGKILL)
    grader.wait()
    before = _attempts(gradebook)
    assert 3 <= len(before) < len(paths)

    _grade(base, out, paths, scratch, "--jobs", "2", "--resume")
    after = _attempts(gradebook)
    names = [name for _, name, _, _ in after]
    assert sorted(names) == sorted(p.stem for p in paths), "exactly one result per submission"
    assert after[: len(before)] == before, "recorded results are kept, not graded again"
    assert all(status == "ok" and score == 6.0 for _, _, status, score in after)
    with open(out / "grades.csv", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == len(paths)
    seeds = {row[0] for row in sqlite3.connect(gradebook).execute("SELECT seed FROM attempts")}
    assert len(seeds) == 1, "a resumed batch keeps the seed, so every student gets the same hidden inputs"
    assert not [p.name for p in scratch.iterdir() if p.name.startswith("autograder-run-")], \
        "the killed run's scratch folder is swept by the next run"


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                cmdline = pathlib.Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(f"{entry}: {cmdline[:200]}")
    return found


@pytest.mark.slow
def test_sigterm_stops_the_batch_cleanly_and_resume_finishes_it(tmp_path):
    """SIGTERM mid-batch: the grader stops within seconds (it does not grade the rest first), records
    only finished results, leaves no process or scratch folder, and ``--resume`` grades the rest."""
    base, scratch, paths, out, grader = _batch_under_way(tmp_path, recorded=2)
    gradebook = out / "gradebook.sqlite"
    stopped_at = time.monotonic()
    grader.send_signal(signal.SIGTERM)
    output, _ = grader.communicate(timeout=120)
    took = time.monotonic() - stopped_at
    assert grader.returncode == 130, output.decode()[-2000:]
    assert b"--resume" in output
    before = _attempts(gradebook)
    assert 2 <= len(before) < len(paths), f"stopped after {took:.1f} s with {len(before)} results: it went on grading"
    assert all(status == "ok" for _, _, status, _ in before), "a cancelled submission is not recorded (not even as a grader error)"
    assert _processes_mentioning(str(scratch)) == [], "no harness or worker outlives the grader"
    assert not [p.name for p in scratch.iterdir() if p.name.startswith("autograder-run-")]

    _grade(base, out, paths, scratch, "--jobs", "2", "--resume")
    names = [name for _, name, _, _ in _attempts(gradebook)]
    assert sorted(names) == sorted(p.stem for p in paths), "exactly one result per submission"
