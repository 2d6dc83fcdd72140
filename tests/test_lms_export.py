"""`autograder export canvas|moodle`: roster matching and the import files, from a real SQLite gradebook."""

import csv
import io
import subprocess
import sys

import pytest

from autograder.formats.roster import RosterError, match_submissions, name_key, read_roster
from autograder.gradebook import Gradebook
from autograder.outcomes import SubmissionResult, TaskResult

CANVAS_ROSTER = """\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Batchnorm (5501),Current Score
    Points Possible,,,,,16,
"Martin, Zoë",101,s1001,zmartin,Sec A,,
"Doe, John",102,s1002,jdoe,Sec A,,
"Lee, Ann",103,s1003,alee,Sec B,,
"Smith, Bob",104,s1004,bsmith,Sec B,,
"Li, Wei",105,s1005,wli1,Sec B,,
"Wei, Li",106,s1006,wli2,Sec B,,
"Okafor, Chidi",107,s1007,cokafor,Sec A,,
"Gruber, Jürgen",108,s1008,jgruber,Sec A,,
"Student, Test",109,,,Sec A,,
"""

MOODLE_ROSTER = """First name;Last name;ID number;Institution;Department;Email address;Assignment: Batchnorm (Real);Last downloaded from this course
Zoë;Martin;s1001;;;Zoe.Martin@Uni.edu;-;
John;Doe;s1002;;;jdoe@uni.edu;-;
Ann;Lee;s1003;;;ann.lee@uni.edu;-;
Jürgen;Gruber;s1008;;;jg@uni.edu;-;
"""


def _result(name, score, status="ok"):
    tasks = [TaskResult("a", "A", 10, score=min(score, 10), passed=1, total=1), TaskResult("b", "B", 6, score=max(score - 10, 0), passed=1, total=1)]
    return SubmissionResult(name=name, assignment="batchnorm", status=status, tasks=tasks, message="boom" if status != "ok" else "")


SUBMISSIONS = [
    _result("zoe_martin", 16),                 # name with the accent dropped, words swapped
    _result("jdoe", 12.5),                     # SIS Login ID
    _result("S1003 ", 8),                      # SIS User ID, other case, a space
    _result("bob_smith", 10),                  # two submissions for one student: a conflict
    _result("Smith  Bob", 11),
    _result("wei_li", 9),                      # fits "Li, Wei" and "Wei, Li": ambiguous
    _result("OKAFOR_chidi", 0, "grader_error"),  # the grader failed: empty, listed
    _result("Jurgen Gruber", 0, "student_error"),  # the student's own error: 0
    _result("mallory", 16),                    # not on the roster
]


@pytest.fixture
def gradebook(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    with Gradebook(path) as book:
        for result in SUBMISSIONS:
            book.record(result, path=f"/subs/{result.name}.py", assignment_version="1+abc", sandbox="process")
    return path


def export(tmp_path, gradebook, kind, roster_text, *extra):
    roster = tmp_path / f"{kind}-roster.csv"
    roster.write_text(roster_text, encoding="utf-8")
    out = tmp_path / f"{kind}.csv"
    command = [sys.executable, "-m", "autograder.cli", "export", kind, "--gradebook", str(gradebook), "--roster", str(roster), "--out", str(out), *extra]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout, list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))


def test_name_key_ignores_case_accents_order_and_punctuation():
    assert name_key("Martin, Zoë") == name_key("zoe_martin") == name_key("  ZOE   MARTIN ") == "martin zoe"
    assert name_key("Jürgen Gruber") == name_key("jurgen.gruber")
    assert name_key("Anne-Marie O'Neil") == name_key("o neil anne marie")


def test_canvas_import_file(tmp_path, gradebook):
    stdout, rows = export(tmp_path, gradebook, "canvas", CANVAS_ROSTER)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Batchnorm (5501)"]  # the roster's column: Canvas updates it
    assert rows[1] == ["    Points Possible", "", "", "", "", "16"]
    body = {row[1]: row for row in rows[2:]}
    assert len(body) == 9 and list(body) == [str(i) for i in range(101, 110)]   # every roster student, in roster order
    assert body["101"] == ["Martin, Zoë", "101", "s1001", "zmartin", "Sec A", "16"]
    assert body["102"][5] == "12.5" and body["103"][5] == "8"
    assert body["108"][5] == "0"                      # student_error: their 0
    assert body["107"][5] == ""                       # grader_error: never a 0
    assert body["104"][5] == "" and body["105"][5] == "" and body["106"][5] == "" and body["109"][5] == ""
    assert "4 score(s) written" in stdout
    assert "the grader failed (regrade, then export again): OKAFOR_chidi" in stdout
    assert "submissions matching no roster entry (not written): mallory" in stdout
    assert "submission wei_li fits several roster entries" in stdout and "Li, Wei; Wei, Li" in stdout
    assert "several submissions match one student (not written): Smith  Bob, bob_smith" in stdout
    assert "roster entries without a submission (left empty): Li, Wei, Wei, Li, Student, Test" in stdout


def test_canvas_scaled_and_new_column(tmp_path, gradebook):
    roster = CANVAS_ROSTER.replace(",Batchnorm (5501),Current Score", ",Other,Current Score")
    _, rows = export(tmp_path, gradebook, "canvas", roster, "--out-of", "100", "--column", "Lab 3 (autograded)")
    assert rows[0][5] == "Lab 3 (autograded)" and rows[1][5] == "100"
    assert {row[1]: row[5] for row in rows[2:]}["102"] == "78.125"


def test_moodle_import_file(tmp_path, gradebook):
    stdout, rows = export(tmp_path, gradebook, "moodle", MOODLE_ROSTER)
    assert rows[0] == ["First name", "Last name", "ID number", "Email address", "Assignment: Batchnorm (Real)"]
    assert rows[1] == ["Zoë", "Martin", "s1001", "Zoe.Martin@Uni.edu", "16"]   # the email exactly as Moodle has it
    assert rows[2] == ["John", "Doe", "s1002", "jdoe@uni.edu", "12.5"]         # "jdoe": the email's local part
    assert rows[3] == ["Ann", "Lee", "s1003", "ann.lee@uni.edu", "8"]
    assert rows[4] == ["Jürgen", "Gruber", "s1008", "jg@uni.edu", "0"]
    assert "mallory" in stdout and "OKAFOR_chidi" in stdout


def test_gradescope_names_match_by_email(tmp_path):
    roster_path = tmp_path / "r.csv"
    roster_path.write_text("Name,Email\nAnn Lee,Ann.Lee@uni.edu\nBo Chen,bo@uni.edu\n")
    matching = match_submissions(["ann.lee@uni.edu", "BO@UNI.EDU"], read_roster(roster_path))
    assert {name: entry.name for name, entry in matching.matched.items()} == {"ann.lee@uni.edu": "Ann Lee", "BO@UNI.EDU": "Bo Chen"}


def test_bad_rosters_are_explained(tmp_path):
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("Name\nZoë\n".encode("latin-1"))
    with pytest.raises(RosterError, match="not UTF-8"):
        read_roster(latin1)
    no_columns = tmp_path / "cols.csv"
    no_columns.write_text("Colour,Size\nred,3\n")
    with pytest.raises(RosterError, match="no column for names, emails or ids"):
        read_roster(no_columns)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(RosterError, match="empty"):
        read_roster(empty)


def test_export_without_roster_fails_clearly(tmp_path, gradebook):
    command = [sys.executable, "-m", "autograder.cli", "export", "canvas", "--gradebook", str(gradebook), "--out", str(tmp_path / "x.csv")]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2 and "needs --roster" in completed.stderr
