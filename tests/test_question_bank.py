"""Question assignments, unit by unit: the bank and key formats, the spec's derived tasks,
reading ANSWERS statically, judging one answer, statistics, and the released files."""

import json
import pathlib
import textwrap

import pytest

from autograder.answer_sheet import answers_module, read_notebook_answers, read_python_answers
from autograder.outcomes import SubmissionResult, TaskResult
from autograder.outcomes import TestOutcome as Outcome
from autograder.question_bank import load_bank, load_key
from autograder.question_grading import format_problem, judge, normalise
from autograder.question_stats import question_statistics
from autograder.spec import SpecError, load_spec

REPO = pathlib.Path(__file__).resolve().parent.parent

BANK = '''
intro = "A tiny quiz."

[[questions]]
id = "pick"
topic = 6
kind = "choice"
title = "Pick one"
points = 1
text = "Which?"
options = ["first", "second", "third"]

[[questions]]
id = "several"
topic = 8
kind = "multi"
points = 2
text = "Which ones?"
options = ["w", "x", "y", "z"]

[[questions]]
id = "ratio"
topic = 8
kind = "numeric"
points = 2
text = "How much?"
tolerance = 0.01

[[questions]]
id = "count"
topic = 14
kind = "integer"
points = 3
text = "How many?"
'''

KEY = '''
[pick]
answer = "b"
explanation = "Because."
[several]
answer = ["c", "a"]
explanation = "Both."
[ratio]
answer = 8.5
explanation = "Arithmetic."
[count]
answer = 12
explanation = "Counting."
'''


def write_assignment(root: pathlib.Path, bank: str = BANK, key: str | None = KEY, extra: str = "") -> pathlib.Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "assignment.toml").write_text(f'id = "quiz"\nmodule = "quiz"\nquestions = "questions.toml"\ntopics = [6, 8]\n{extra}')
    (root / "questions.toml").write_text(bank)
    if key is not None:
        (root / "key.toml").write_text(key)
    return root


@pytest.fixture
def quiz(tmp_path):
    return load_spec(write_assignment(tmp_path / "quiz"))


# --------------------------------------------------------------------------- bank, key, spec


def test_the_spec_derives_one_task_per_question(quiz):
    assert [(t.id, t.points, t.functions) for t in quiz.tasks] == [("pick", 1, ()), ("several", 2, ()), ("ratio", 2, ()), ("count", 3, ())]
    assert quiz.max_score == 8 and quiz.reveal == "none" and quiz.question_bank.intro == "A tiny quiz."
    assert quiz.task("pick").title == "Pick one" and quiz.task("count").title == "count"
    assert quiz.question_bank.question("several").letters == ("a", "b", "c", "d")
    key = load_key(quiz.question_bank)
    assert key["several"].answer == ("a", "c") and key["ratio"].answer == 8.5 and key["count"].answer == 12


@pytest.mark.parametrize("edit, phrase", [
    (lambda b: b.replace('id = "several"', 'id = "pick"'), "duplicate question ids ['pick']"),
    (lambda b: b.replace('kind = "integer"', 'kind = "essay"'), "kind must be one of choice, multi, numeric, integer"),
    (lambda b: b.replace('options = ["w", "x", "y", "z"]', ''), "a multi question needs 'options'"),
    (lambda b: b.replace('options = ["first", "second", "third"]', 'options = ["only"]'), "at least 2"),
    (lambda b: b.replace('text = "How many?"', 'text = "How many?"\noptions = ["a", "b"]'), "a integer question has no 'options'"),
    (lambda b: b.replace('text = "Which?"', 'text = "Which?"\nanswer = "b"'), "those go in key.toml"),
    (lambda b: b.replace('text = "How many?"', 'text = "How many?"\ntolerance = 0.1'), "only numeric questions have a 'tolerance'"),
    (lambda b: b.replace("tolerance = 0.01", "tolerance = 2"), "'tolerance' is relative"),
    (lambda b: b.replace("topic = 6", 'topic = "six"'), "'topic' must be a TOPICS.md row number"),
    (lambda b: b.replace("topic = 6", "topic = 35"), "no question for topic 6"),
    (lambda b: b.replace('id = "count"', 'id = "Count"'), "'id' must be lower-case"),
    (lambda b: b.replace('points = 3', 'points = 0'), "'points' must be a positive number"),
    (lambda b: b.replace('text = "How much?"', 'txt = "How much?"'), "unknown fields ['txt']"),
    (lambda b: "", "no [[questions]]"),
])
def test_a_malformed_bank_is_explained(tmp_path, edit, phrase):
    root = write_assignment(tmp_path / "quiz", bank=edit(BANK))
    with pytest.raises(SpecError) as error:
        load_spec(root)
    assert phrase in str(error.value)


@pytest.mark.parametrize("edit, phrase", [
    (lambda k: k.replace('answer = "b"', 'answer = "d"'), "one of a, b, c (got 'd')"),
    (lambda k: k.replace('answer = ["c", "a"]', 'answer = "a"'), "non-empty list of distinct letters"),
    (lambda k: k.replace('answer = ["c", "a"]', 'answer = ["a", "a"]'), "non-empty list of distinct letters"),
    (lambda k: k.replace("answer = 12", "answer = 12.5"), "a whole number"),
    (lambda k: k.replace("answer = 8.5", 'answer = "8.5"'), "a finite number"),
    (lambda k: k.replace('explanation = "Because."', ""), "'explanation' is missing"),
    (lambda k: k + '\n[extra]\nanswer = "a"\nexplanation = "x"\n', "questions the bank does not have: ['extra']"),
    (lambda k: k.split("[count]")[0], "no answer for ['count']"),
])
def test_a_malformed_key_is_explained(tmp_path, edit, phrase):
    spec = load_spec(write_assignment(tmp_path / "quiz", key=edit(KEY)))
    with pytest.raises(SpecError) as error:
        load_key(spec.question_bank)
    assert phrase in str(error.value)


@pytest.mark.parametrize("extra, phrase", [
    ('reveal = "answers"\n', "reveal must be one of none, explanations"),
    ('[[tasks]]\nid = "x"\npoints = 1\n', "takes its tasks from questions.toml"),
])
def test_question_settings_in_assignment_toml_are_checked(tmp_path, extra, phrase):
    with pytest.raises(SpecError, match=phrase):
        load_spec(write_assignment(tmp_path / "quiz", extra=extra))


def test_the_key_cannot_be_the_public_bank(tmp_path):
    root = write_assignment(tmp_path / "quiz")
    (root / "assignment.toml").write_text('id = "quiz"\nquestions = "key.toml"\n')
    with pytest.raises(SpecError, match="hidden answer key"):
        load_spec(root)


def test_reveal_needs_a_question_assignment(tmp_path):
    (tmp_path / "assignment.toml").write_text('id = "x"\nreveal = "explanations"\n[[tasks]]\nid = "t"\npoints = 1\n')
    with pytest.raises(SpecError, match="only apply to a question assignment"):
        load_spec(tmp_path)


# --------------------------------------------------------------------------- reading ANSWERS without running anything

IDS = ("pick", "several", "ratio", "count")


def test_literals_and_arithmetic_are_read_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"
    source = textwrap.dedent(f'''
        import os
        open({str(marker)!r}, "w").write("student code ran")
        ANSWERS = {{"pick": "B", "several": {{"c", "a"}}, "unknown_id": 1}}
        ANSWERS["ratio"] = 3*3*64*64*56*56 / (56*56*64*9 + 56*56*64*64)
        ANSWERS["count"] = -(-12)
        print(ANSWERS)
        ''')
    sheet = read_python_answers(source, "quiz.py", IDS)
    assert not marker.exists()
    assert sheet.answers == {"pick": "B", "several": ["a", "c"], "ratio": pytest.approx(9 * 64 / (9 + 64)), "count": 12}
    assert sheet.malformed == {}
    assert any("'unknown_id'" in note for note in sheet.notes)


@pytest.mark.parametrize("value, phrase", [
    ("f(3)", "a function call"),
    ("np.pi", "the name `np.pi`"),
    ("x", "the name `x`"),
    ("2**10**9", "an exponent larger than 256"),
    ("10**40", "a number larger than"),
    ("1/0", "a division by zero"),
    ("1e29 * 1e29", "a number larger than"),
    ("1e29 ** 20", "a number larger than"),
    ("'a' * 3", "arithmetic on something other than numbers"),
    ("[['a']]", "a list inside a list"),
    ("(-8) ** 0.5", "a complex number"),
    ("'x' * 1000", "arithmetic on something other than numbers"),
    ("[" + ", ".join(["1"] * 40) + "]", "more than 30 items"),
    ("b'a'", "a bytes literal"),
    ("lambda: 1", "a Lambda expression"),
])
def test_a_value_that_is_not_a_literal_is_malformed_for_that_question_only(value, phrase):
    sheet = read_python_answers(f'ANSWERS = {{"pick": "a"}}\nANSWERS["count"] = {value}\n', "quiz.py", IDS)
    assert sheet.answers == {"pick": "a"}
    assert phrase in sheet.malformed["count"] and sheet.malformed["count"].startswith("quiz.py, line 2: ")


def test_syntax_errors_and_other_code_cost_only_their_own_statements():
    source = textwrap.dedent('''
        """A docstring with
        text in column 0
        """
        ANSWERS = {"pick": "a",
                   "ratio": 8.5}
        def broken(:
            pass
        ANSWERS["count"] = 12
        for i in range(3): ANSWERS["pick"] = "c"
        ANSWERS.update({"pick": "c"})
        ANSWERS["several"] = ["a",
        ''')
    sheet = read_python_answers(source, "quiz.py", IDS)
    assert sheet.answers == {"pick": "a", "ratio": 8.5, "count": 12}
    assert any("line 12: does not parse" in note for note in sheet.notes)
    assert sum("this statement was not" in note for note in sheet.notes) == 2  # the loop and .update


def test_later_statements_win_and_a_new_dict_replaces_the_old_one():
    source = 'ANSWERS["pick"] = f()\nANSWERS["pick"] = "c"\nANSWERS["count"] = 1\nANSWERS = {"ratio": 1.5}\nANSWERS["several"] = g()\n'
    sheet = read_python_answers(source, "quiz.py", IDS)
    assert sheet.answers == {"ratio": 1.5} and list(sheet.malformed) == ["several"]


def test_a_notebook_is_read_cell_by_cell(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("ANSWERS = {'pick': 'c'}  (markdown is not read)"),
        nbformat.v4.new_code_cell("%matplotlib inline\nfrom autograder import Notebook\nANSWERS = {}\ngrader = Notebook('quiz')"),
        nbformat.v4.new_code_cell('ANSWERS["pick"] = "b"'),
        nbformat.v4.new_code_cell("this cell does not parse ("),
        nbformat.v4.new_code_cell('ANSWERS["count"] = 3 * 4  # twelve\nwhile True:\n    pass'),
        nbformat.v4.new_code_cell('ANSWERS["ratio"] = compute()'),
    ]
    sheet = read_notebook_answers(nbformat.writes(notebook).encode(), "quiz.ipynb", IDS)
    assert sheet.answers == {"pick": "b", "count": 12}
    assert sheet.malformed == {"ratio": "cell 6, line 1: the answer is a function call (the grader runs no code; write the number itself "
                                        "or arithmetic on numbers)"}


def test_the_graded_module_holds_literals_only():
    sheet = read_python_answers('ANSWERS = {"pick": "b", "ratio": f(), "several": ["a", "c"]}', "quiz.py", IDS)
    module = answers_module(sheet, IDS)
    namespace: dict = {}
    exec(compile(module, "quiz.py", "exec"), namespace)  # the test's own check that it is plain Python
    assert namespace["ANSWERS"] == {"pick": "b", "several": ["a", "c"], "count": None}
    assert list(namespace["MALFORMED"]) == ["ratio"]
    assert "f()" not in module.split("MALFORMED")[0]


# --------------------------------------------------------------------------- judging one answer


@pytest.mark.parametrize("question_id, value, expected", [
    ("pick", " B ", "b"), ("several", ("c", "a", "a"), ["a", "c"]), ("several", {"a"}, ["a"]),
    ("ratio", 8, 8.0), ("count", 12.0, 12), ("count", None, None),
])
def test_answers_are_normalised(quiz, question_id, value, expected):
    assert normalise(quiz.question_bank.question(question_id), value) == expected


@pytest.mark.parametrize("question_id, value, phrase", [
    ("pick", "d", "not one of the options a, b, c"),
    ("pick", 1, "expected one letter: a, b or c"),
    ("several", "ac", 'a list of letters such as ["a", "c"]'),
    ("several", ["a", "q"], "not one of the options"),
    ("ratio", "8.5", "got a string '8.5' (write the number without quotes)"),
    ("ratio", True, "got bool"),
    ("ratio", float("nan"), "a finite number"),
    ("count", "12", "got a string"),
    ("count", 12.5, "expected a whole number"),
])
def test_malformed_answers_are_named(quiz, question_id, value, phrase):
    question = quiz.question_bank.question(question_id)
    with pytest.raises(ValueError, match=phrase.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")):
        normalise(question, value)
    assert format_problem(question, {question_id: value}).startswith(f"{question_id}: malformed answer: ")


def test_a_numpy_number_is_malformed_because_the_grader_reads_literals_only(quiz):
    import numpy as np

    assert "float64" in format_problem(quiz.question_bank.question("ratio"), {"ratio": np.float64(8.5)})


def test_judge_verdicts_and_messages_never_show_the_key(quiz):
    bank, key = quiz.question_bank, load_key(quiz.question_bank)
    q = {question.id: question for question in bank.questions}
    assert judge(q["pick"], {"pick": "B"}, {}, key["pick"]).verdict == "right"
    assert judge(q["several"], {"several": ["c", "a"]}, {}, key["several"]).right
    assert not judge(q["several"], {"several": ["a"]}, {}, key["several"]).right
    assert judge(q["ratio"], {"ratio": 8.5 * 1.0099}, {}, key["ratio"]).right        # within 1%
    assert not judge(q["ratio"], {"ratio": 8.5 * 1.0101}, {}, key["ratio"]).right
    assert judge(q["count"], {"count": 12.0}, {}, key["count"]).right
    wrong = judge(q["count"], {"count": 13}, {}, key["count"])
    assert (wrong.verdict, wrong.answer) == ("wrong", 13) and wrong.message == "count: wrong (your answer: 13)"
    assert "12" not in wrong.message and "Counting" not in wrong.message
    revealed = judge(q["count"], {"count": 13}, {}, key["count"], reveal="explanations")
    assert revealed.message.endswith("Counting.")
    unanswered = judge(q["count"], {"count": None}, {}, key["count"])
    assert unanswered.verdict == "unanswered" and "count: not answered" in unanswered.message
    missing = judge(q["count"], {"cuont": 12}, {}, key["count"])
    assert missing.verdict == "unanswered" and "ANSWERS has 'cuont': a typo?" in missing.message
    malformed = judge(q["count"], {}, {"count": "quiz.py, line 3: the answer is a function call"}, key["count"])
    assert malformed.verdict == "malformed" and "line 3: the answer is a function call" in malformed.message
    assert judge(q["pick"], ["b"], {}, key["pick"]).verdict == "malformed"  # ANSWERS that is not a dict


def test_zero_keys_use_the_tolerance_as_an_absolute_one(tmp_path):
    spec = load_spec(write_assignment(tmp_path / "quiz", key=KEY.replace("answer = 8.5", "answer = 0.0")))
    question, key = spec.question_bank.question("ratio"), load_key(spec.question_bank)["ratio"]
    assert judge(question, {"ratio": 0.005}, {}, key).right and not judge(question, {"ratio": 0.02}, {}, key).right


# --------------------------------------------------------------------------- statistics


def outcome(task, verdict, answer):
    return Outcome(name=f"test_answer[{task}]", task=task, outcome="passed" if verdict == "right" else "failed",
                       data={"verdict": verdict, "answer": answer})


def result(name, outcomes, status="ok"):
    tasks = [TaskResult(task, task, 1, tests=[test]) for task, test in outcomes.items()]
    return SubmissionResult(name=name, assignment="quiz", status=status, tasks=tasks)


def test_question_statistics(quiz):
    results = [
        result("s1", {"pick": outcome("pick", "right", "b"), "several": outcome("several", "wrong", ["a"])}),
        result("s2", {"pick": outcome("pick", "wrong", "c"), "several": outcome("several", "wrong", ["a"])}),
        result("s3", {"pick": outcome("pick", "wrong", "a"), "several": outcome("several", "malformed", None)}),
        result("s4", {"pick": outcome("pick", "wrong", "c"), "several": outcome("several", "unanswered", None)}),
        result("broken", {"pick": outcome("pick", "wrong", "a")}, status="grader_error"),
    ]
    stats = {row.id: row for row in question_statistics(results, quiz.question_bank)}
    pick, several, count = stats["pick"], stats["several"], stats["count"]
    assert (pick.submissions, pick.right, pick.wrong, pick.right_share) == (4, 1, 3, 0.25)
    assert (pick.most_common_wrong, pick.most_common_wrong_count) == ("c", 2)
    assert (several.most_common_wrong, several.most_common_wrong_count) == (["a"], 2)
    assert (several.unanswered_share, several.malformed_share, several.right_share) == (0.25, 0.25, 0.0)
    assert (count.submissions, count.right_share, count.most_common_wrong) == (0, 0.0, None)


def test_recorded_data_survive_the_gradebook(tmp_path):
    from autograder.gradebook import Gradebook

    original = result("s1", {"several": outcome("several", "wrong", ["a", "c"])})
    assert SubmissionResult.from_json(original.to_json()).tasks[0].tests[0].data == {"verdict": "wrong", "answer": ["a", "c"]}
    with Gradebook(tmp_path / "book.sqlite") as book:
        book.record(original, path="s1.py", assignment_version="1", sandbox="process")
        again = book.latest_results("quiz")[0]
    assert again.tasks[0].tests[0].data == {"verdict": "wrong", "answer": ["a", "c"]}
    assert SubmissionResult.from_json(json.dumps({"name": "x", "assignment": "a", "status": "ok", "tasks": [
        {"id": "t", "title": "t", "max_score": 1, "tests": [{"name": "n", "task": "t", "outcome": "passed"}]}]})).tasks[0].tests[0].data == {}


# --------------------------------------------------------------------------- released files


def test_the_release_has_the_questions_and_no_key(quiz):
    from autograder.question_release import release_files

    (quiz.root / "tests" / "public").mkdir(parents=True)
    (quiz.root / "tests" / "public" / "test_format.py").write_text("# public\n")
    (quiz.root / "questions.toml").write_text(BANK.replace('[[questions]]\nid = "pick"', '# the answer is b\n[[questions]]\nid = "pick"'))
    files = release_files(load_spec(quiz.root))
    assert sorted(files) == ["README.md", "assignment.toml", "questions.toml", "quiz.ipynb", "quiz.py", "tests/test_format.py"]
    text = b"\n".join(files.values()).decode()
    assert "the answer is b" not in text and "Because." not in text and "Counting." not in text
    namespace: dict = {}
    exec(files["quiz.py"].decode(), namespace)
    assert namespace["ANSWERS"] == dict.fromkeys(IDS)
    released = quiz.root.parent / "released"
    released.mkdir()
    for name in ("assignment.toml", "questions.toml"):
        (released / name).write_bytes(files[name])
    assert load_spec(released).question_bank.questions == quiz.question_bank.questions
    notebook = json.loads(files["quiz.ipynb"])
    code = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code[0] == 'from autograder import Notebook\n\nANSWERS = {}\ngrader = Notebook("quiz")'
    assert code[1:-1] == ['ANSWERS["pick"] = None  # one letter: a, b or c',
                          'ANSWERS["several"] = None  # a list of letters, e.g. ["a", "c"] (options a to d)',
                          'ANSWERS["ratio"] = None  # a number (within 1%; arithmetic such as 3*3*64 is fine)',
                          'ANSWERS["count"] = None  # a whole number']
    assert code[-1] == "grader.check_all()"
    assert read_notebook_answers(files["quiz.ipynb"], "quiz.ipynb", IDS).answers == dict.fromkeys(IDS)


def test_thousands_of_broken_lines_cost_a_bounded_effort():
    """Intake runs in the grader's process: recovering from syntax errors has a budget, then stops with a note."""
    import time

    source = 'ANSWERS = {"pick": "a"}\n' + "\n".join(f'ANSWERS["count"] = ({i}' for i in range(100_000)) + '\nANSWERS["ratio"] = 2.5\n'
    started = time.monotonic()
    sheet = read_python_answers(source, "quiz.py", IDS)
    assert time.monotonic() - started < 20  # about a second unloaded; the budget, not the file size, bounds it
    assert sheet.answers == {"pick": "a"}
    assert any("onwards: not read (too many syntax errors before it)" in note for note in sheet.notes)


def test_the_notebook_check_reads_answers_as_the_grader_does(quiz):
    """Notebook.check: the live ANSWERS without IPython history; with it, the cells run so far read statically."""
    import shutil

    from autograder.notebook import Notebook

    shutil.copytree(REPO / "solutions" / "concepts" / "tests" / "public", quiz.root / "tests" / "public")
    live = {"ANSWERS": {"pick": "b", "several": ["a"], "ratio": 2.5, "count": 4}}
    report = Notebook(quiz.root, namespace=live).check_all()
    assert report.passed and "4/4 public tests passed" in str(report)
    history = {"In": ["", "import math\nANSWERS = {}", 'ANSWERS["pick"] = "B"\nANSWERS["count"] = math.floor(4.5)', "grader.check_all()"],
               "ANSWERS": {"pick": "b", "count": 4}}
    text = str(Notebook(quiz.root, namespace=history).check_all())
    assert "1/4 public tests passed" in text
    assert "count: malformed answer: In [2], line 2: the answer is a function call" in text
    assert 'several: not answered yet; set ANSWERS["several"] to a list of letters' in text
