"""The concepts assignment through the real CLI (process sandbox, real harness and worker processes).

- the key gets full marks, an empty ANSWERS 0 with status ok, and the key with each
  answer made wrong in turn loses exactly that question's points (one batch);
- the released notebook, blank and filled, grades as 0 and full marks, and its
  ``grader.check_all()`` runs in a real Jupyter kernel on both;
- no answer key reaches a file a student or the worker can see: a quiz whose key holds
  sentinel values is released and graded, and every output is searched for them; the
  letters of choice answers, which no search can find, are checked by grading the same
  submissions against two keys that differ only in those letters: everything a student
  sees must be identical. A reveal run is the positive control of the search.
"""

import csv
import json
import pathlib
import re
import shutil
import sqlite3
import subprocess
import sys

import nbformat
import pytest

from autograder.intake import intake
from autograder.question_bank import load_key
from autograder.question_release import reference_source, stub_source
from autograder.spec import load_spec

REPO = pathlib.Path(__file__).resolve().parent.parent
CONCEPTS = REPO / "solutions" / "concepts"
pytestmark = pytest.mark.slow


def grade(base: pathlib.Path, assignment: str, out: pathlib.Path, paths, *extra) -> None:
    command = [sys.executable, "-m", "autograder.cli", "--base", str(base), "grade", "--assignment", assignment, "--out", str(out),
               "--seed", "7", "--quiet", "--jobs", "2", "--sandbox", "process", *extra, *map(str, paths)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:] + completed.stdout[-3000:]


def grades(out: pathlib.Path) -> dict[str, dict]:
    return {row["name"]: row for row in csv.DictReader((out / "grades.csv").open())}


def wrong_value(question, answer):
    """An answer of the right kind that the key does not accept."""
    if question.kind == "choice":
        return question.letters[(question.letters.index(answer) + 1) % len(question.letters)]
    if question.kind == "multi":
        missing = [letter for letter in question.letters if letter not in answer]
        return list(answer[1:]) if len(answer) > 1 else list(answer) + missing[:1]
    if question.kind == "integer":
        return answer + 1
    return answer + 0.5 * abs(answer) + 1  # at least 50% or 1 away, whatever the sign


def fill_notebook(path: pathlib.Path, values: dict) -> str:
    """The released notebook with each answer cell set to ``values[id]`` (as a student edits it)."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        match = re.match(r'ANSWERS\["(\w+)"\] = None', cell.source)
        if cell.cell_type == "code" and match and match.group(1) in values:
            value = values[match.group(1)]
            cell.source = f'ANSWERS["{match.group(1)}"] = {json.dumps(list(value) if isinstance(value, tuple) else value)}'
    return nbformat.writes(notebook)


def test_key_full_marks_blank_zero_and_each_wrong_answer_costs_exactly_its_question(tmp_path):
    spec = load_spec(CONCEPTS)
    key = load_key(spec.question_bank)
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    reference = reference_source(spec)
    (submissions / "key.py").write_text(reference)
    (submissions / "blank.py").write_text(stub_source(spec))
    (submissions / "blank_notebook.ipynb").write_bytes((REPO / "assignments" / "concepts" / "concepts.ipynb").read_bytes())
    answers = {question_id: entry.answer for question_id, entry in key.items()}
    (submissions / "key_notebook.ipynb").write_text(fill_notebook(REPO / "assignments" / "concepts" / "concepts.ipynb", answers))
    for question in spec.question_bank.questions:
        value = wrong_value(question, key[question.id].answer)
        (submissions / f"wrong_{question.id}.py").write_text(reference + f'\nANSWERS["{question.id}"] = {json.dumps(value)}\n')
    out = tmp_path / "out"
    grade(REPO, "concepts", out, sorted(submissions.iterdir()))
    rows = grades(out)
    total = spec.max_score
    for name in ("key", "key_notebook"):
        assert rows[name]["status"] == "ok" and float(rows[name]["total"]) == total, rows[name]
    for name in ("blank", "blank_notebook"):
        assert rows[name]["status"] == "ok" and float(rows[name]["total"]) == 0, rows[name]
    for question in spec.question_bank.questions:
        row = rows[f"wrong_{question.id}"]
        assert row["status"] == "ok" and float(row["total"]) == total - question.points, (question.id, row)
        assert float(row[question.id]) == 0
    # The answers recorded by the hidden tests reach the gradebook, and the statistics count them.
    from autograder.gradebook import Gradebook
    from autograder.question_stats import question_statistics

    with Gradebook(out / "gradebook.sqlite") as book:
        statistics = question_statistics(book.latest_results("concepts"), spec.question_bank)
    submitted = len(list(submissions.iterdir()))
    for row in statistics:
        wrong = wrong_value(spec.question_bank.question(row.id), key[row.id].answer)
        assert (row.submissions, row.right, row.wrong, row.unanswered, row.malformed) == (submitted, submitted - 3, 1, 2, 0), row
        assert row.most_common_wrong == pytest.approx(wrong) and row.most_common_wrong_count == 1
    feedback = (out / "wrong_conv_why" / "feedback.md").read_text()
    assert "conv_why: wrong (your answer: ['b'])" in feedback
    blank = (out / "blank" / "feedback.md").read_text()
    assert '**Your answer**: bn_placement: not answered yet; set ANSWERS["bn_placement"] to one letter: a, b, c or d' in blank


# --------------------------------------------------------------------------- the key never leaks

NUMERIC_SENTINEL, INTEGER_SENTINEL = 7919.0413, 48611
SENTINELS = ["7919", "7.919", "48611", "4.8611", "EXPLAIN-SENTINEL"]

QUIZ_BANK = '''
[[questions]]
id = "pick"
topic = 6
kind = "choice"
text = "Which option?"
options = ["first", "second", "third", "fourth"]

[[questions]]
id = "several"
topic = 8
kind = "multi"
points = 2
text = "Which options?"
options = ["w", "x", "y", "z"]

[[questions]]
id = "ratio"
topic = 8
kind = "numeric"
points = 2
text = "How much?"

[[questions]]
id = "count"
topic = 14
kind = "integer"
points = 2
text = "How many?"
'''


def quiz_key(pick: str, several: list[str]) -> str:
    return f'''
[pick]
answer = "{pick}"
explanation = "EXPLAIN-SENTINEL-pick"
[several]
answer = {json.dumps(several)}
explanation = "EXPLAIN-SENTINEL-several"
[ratio]
answer = {NUMERIC_SENTINEL}
explanation = "EXPLAIN-SENTINEL-ratio: {NUMERIC_SENTINEL}"
[count]
answer = {INTEGER_SENTINEL}
explanation = "EXPLAIN-SENTINEL-count: {INTEGER_SENTINEL}"
'''


def quiz_course(base: pathlib.Path, pick: str, several: list[str], reveal: str = "none") -> pathlib.Path:
    """A course folder with one question assignment, 'quiz', using the real concepts tests."""
    root = base / "solutions" / "quiz"
    shutil.copytree(CONCEPTS / "tests", root / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "assignment.toml").write_text(f'id = "quiz"\ntitle = "Quiz"\nmodule = "quiz"\nquestions = "questions.toml"\nreveal = "{reveal}"\n'
                                          'student_packages = []\n[limits]\ncall_timeout_s = 5\ntotal_timeout_s = 60\n')
    (root / "questions.toml").write_text(QUIZ_BANK)
    (root / "key.toml").write_text(quiz_key(pick, several))
    completed = subprocess.run([sys.executable, "-m", "autograder.cli", "--base", str(base), "release", "quiz"],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return base


STUDENTS = {
    # wrong under both keys used below (pick "b" / "c", several ["a", "c"] / ["b", "d"])
    "wrong.py": 'ANSWERS = {"pick": "a", "several": ["a", "b"], "ratio": 12.5, "count": 3}\n',
    "malformed.py": 'import math\nANSWERS = {"pick": "q", "several": "ab", "ratio": "12.5", "count": math.floor(2.5)}\n',
    "blank.py": 'ANSWERS = {"pick": None, "several": None, "ratio": None, "count": None}\n',
    "broken.py": 'ANSWERS = {"pick": "d"}\ndef oops(:\n    pass\nANSWERS["count"] = 2 * 3\n',
}


def student_files(folder: pathlib.Path) -> list[pathlib.Path]:
    folder.mkdir()
    paths = []
    for name, source in STUDENTS.items():
        (folder / name).write_text(source)
        paths.append(folder / name)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell('ANSWERS = {}\nANSWERS["pick"] = "d"\nANSWERS["ratio"] = 1/3')]
    (folder / "notebook.ipynb").write_text(nbformat.writes(notebook))
    return paths + [folder / "notebook.ipynb"]


def visible_texts(out: pathlib.Path) -> dict[str, str]:
    """Every file of a batch a student (or a student-facing export) can see, and the gradebook."""
    texts = {}
    for path in sorted(out.rglob("*")):
        if path.is_file():
            texts[str(path.relative_to(out))] = path.read_bytes().decode("utf-8", errors="replace")
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        texts["gradebook rows"] = "\n".join(" ".join(map(str, row)) for row in db.execute("SELECT * FROM attempts"))
    return texts


def leaks(texts: dict[str, str]) -> list[str]:
    return [f"{sentinel} in {name}" for name, text in texts.items() for sentinel in SENTINELS if sentinel in text]


def comparable(payload_text: str) -> str:
    """A results.json or feedback.md without what legitimately differs between two courses (times, hashes)."""
    text = re.sub(r'"(execution_time|assignment_version|duration)": [^,\n]+', r'"\1": _', payload_text)
    return re.sub(r"\d+\.\d+ s\b", "_ s", text)


def test_no_answer_key_reaches_anything_a_student_or_the_worker_sees(tmp_path):
    first = quiz_course(tmp_path / "course_b", "b", ["a", "c"])
    second = quiz_course(tmp_path / "course_c", "c", ["b", "d"])
    paths = student_files(tmp_path / "students")

    # 1. The released assignment.
    released = {str(p.relative_to(first)): p.read_text(errors="replace") for p in (first / "assignments" / "quiz").rglob("*") if p.is_file()}
    assert "assignments/quiz/quiz.ipynb" in released and not any("key" in name for name in released)
    assert leaks(released) == []

    # 2. The bundle the worker is given: one module, literals only, no sentinel.
    spec = load_spec(first / "solutions" / "quiz")
    for path in paths:
        bundle = intake(path, spec)
        try:
            files = sorted(p.name for p in bundle.directory.rglob("*") if p.is_file())
            assert files == ["quiz.py"]
            assert leaks({f"bundle of {path.name}": (bundle.directory / "quiz.py").read_text()}) == []
        finally:
            bundle.cleanup()

    # 3. Everything grading writes.
    outputs = {}
    for course in (first, second):
        out = tmp_path / f"out_{course.name}"
        grade(course, "quiz", out, paths, "--format", "junit", "--gradebook", str(out / "gradebook.sqlite"))
        texts = visible_texts(out)
        assert leaks(texts) == []
        outputs[course.name] = texts
    rows = grades(tmp_path / "out_course_b")
    assert {name: rows[name]["total"] for name in rows} == {"wrong": "0", "malformed": "0", "blank": "0", "broken": "0", "notebook": "0"}
    assert all(row["status"] == "ok" for row in rows.values())
    feedback = outputs["course_b"]["malformed/feedback.md"]
    assert "pick: malformed answer: 'q' is not one of the options a, b, c, d" in feedback
    assert "count: malformed answer: malformed.py, line 2: the answer is a function call" in feedback

    # 4. The letters of the key: the same submissions against another key look exactly the same to students.
    for name in ("wrong", "malformed", "blank", "broken", "notebook"):
        for file in ("results.json", "feedback.md"):
            a, b = outputs["course_b"][f"{name}/{file}"], outputs["course_c"][f"{name}/{file}"]
            assert comparable(a) == comparable(b), f"{name}/{file} depends on the key's letters"
    assert outputs["course_b"]["grades.csv"] == outputs["course_c"]["grades.csv"]


def test_the_search_finds_explanations_once_they_are_revealed(tmp_path):
    """The positive control of the leak test: with reveal = "explanations" the sentinels do show."""
    course = quiz_course(tmp_path / "course", "b", ["a", "c"], reveal="explanations")
    paths = student_files(tmp_path / "students")
    out = tmp_path / "out"
    grade(course, "quiz", out, paths[:1], "--gradebook", str(out / "gradebook.sqlite"))
    found = leaks(visible_texts(out))
    assert "EXPLAIN-SENTINEL in wrong/feedback.md" in found and "7919 in wrong/feedback.md" in found


def test_the_released_notebook_checks_the_format_in_a_real_kernel(tmp_path):
    """grader.check_all() in the released notebook, blank and filled (with one malformed answer), in Jupyter."""
    from nbclient import NotebookClient

    folder = tmp_path / "concepts"
    shutil.copytree(REPO / "assignments" / "concepts", folder)
    spec = load_spec(CONCEPTS)
    answers = {question_id: entry.answer for question_id, entry in load_key(spec.question_bank).items()}
    blank = nbformat.read(folder / "concepts.ipynb", as_version=4)
    filled = nbformat.reads(fill_notebook(folder / "concepts.ipynb", answers), as_version=4)
    for cell in filled.cells:  # one answer computed with a call: the grader cannot read it, so check_all says so
        if cell.source.startswith('ANSWERS["conv_param_count"]'):
            cell.source = 'import math\nANSWERS["conv_param_count"] = math.prod([3, 3, 3, 64]) + 64'
    reports = []
    for notebook in (blank, filled):
        client = NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=False,
                                resources={"metadata": {"path": str(folder)}})
        client.execute()
        last = notebook.cells[-1]
        reports.append("".join(output.get("data", {}).get("text/plain", "") for output in last.outputs))
    total = len(spec.question_bank.questions)
    assert f"0/{total} public tests passed" in reports[0] and "bn_placement: not answered yet" in reports[0]
    assert f"{total - 1}/{total} public tests passed" in reports[1]
    assert "conv_param_count: malformed answer: In [" in reports[1] and "a function call" in reports[1]


def test_a_broken_key_is_a_grader_error_never_a_zero(tmp_path):
    course = quiz_course(tmp_path / "course", "b", ["a", "c"])
    key_file = course / "solutions" / "quiz" / "key.toml"
    key_file.write_text(key_file.read_text().replace('answer = "b"', 'answer = "z"'))
    paths = student_files(tmp_path / "students")
    out = tmp_path / "out"
    grade(course, "quiz", out, paths[:1], "--retries", "0")
    payload = json.loads((out / "wrong" / "results.json").read_text())
    assert payload["extra_data"]["status"] == "grader_error" and "score" not in payload
    assert "the answer key of quiz is invalid; `autograder validate quiz` says why" in payload["output"]
    assert "(got" not in payload["output"] and "z" not in re.findall(r"'(\w)'", payload["output"])  # not even the broken value
    assert grades(out)["wrong"]["total"] == ""
