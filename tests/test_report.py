"""`autograder report`: statistics, the self-contained page, and the page in headless Chromium.

The results are made here (a class of 40 with known mistakes, grader and student
errors and concept answers) so that every number on the page is known; they go
through a real SQLite gradebook and the real CLI. The Chromium test opens the page
over the DevTools protocol (tests/chromium.py), fails on any console or log error
(a blocked load, a CSP violation, a script error), checks every plot decoded, and
saves a full-page screenshot (AG_REPORT_SCREENSHOT=path keeps a copy).
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from autograder.gradebook import Gradebook
from autograder import outcomes as scoring
from autograder.report.page import render_report
from autograder.report.stats import assignment_stats, message_pattern

HINT_FORGOT = "forgot the 1/N factor of the mean's gradient"
HINT_UNBIASED = "used the unbiased variance (ddof=1)"


def _test(name, task, passed, message="", doc="", data=None):
    outcome = scoring.TestOutcome(name, task, "passed" if passed else "failed", message, doc or name.replace("_", " "), 0.05)
    if data is not None:
        outcome.data = data  # what the concepts assignment records (pytest's record_property)
    return outcome


def make_class(size: int = 40, with_concepts: bool = False) -> list[scoring.SubmissionResult]:
    """Submission k: forward wrong for k % 4 == 1 (unbiased variance), backward wrong for k % 3 == 2 (1/N), ..."""
    rng = np.random.default_rng(0)
    results = []
    for k in range(size):
        forward = [_test(f"test_forward_{i}", "forward", k % 4 != 1,
                         "" if k % 4 != 1 else f"running_var: {3 + i} of 8 values differ; max abs error {rng.uniform(0.01, 0.2):.3g} at index ({i},). "
                                               f"It looks like you {HINT_UNBIASED}.") for i in range(4)]
        backward = [_test(f"test_backward_{i}", "backward", k % 3 != 2,
                          "" if k % 3 != 2 else f"dx: max abs error {rng.uniform(1, 9):.3g}. It looks like you {HINT_FORGOT}.") for i in range(3)]
        backward.append(_test("test_backward_sign", "backward", k % 10 != 7, "" if k % 10 != 7 else "dgamma: 4 of 4 values differ. The sign is flipped."))
        tasks = [scoring.TaskResult("forward", "Forward pass", 2), scoring.TaskResult("backward", "Backward pass", 3)]
        for task, tests in zip(tasks, (forward, backward)):
            task.tests, task.total, task.passed = tests, len(tests), sum(t.outcome == "passed" for t in tests)
            task.score = round(task.max_score * task.passed / task.total, 6)
        if with_concepts:
            answers = [("q1_variance", "Which variance does batch norm use in training?", "biased", ["unbiased", "unbiased", "population"][k % 3]),
                       ("q2_eps", "Where does eps go?", "inside the sqrt", "outside the sqrt")]
            concept_tests = [_test(name, "concepts", k % (2 + index) == 0, "" if k % (2 + index) == 0 else "wrong answer",
                                   doc=question, data={"question": question, "answer": right if k % (2 + index) == 0 else wrong})
                             for index, (name, question, right, wrong) in enumerate(answers)]
            concept_task = scoring.TaskResult("concepts", "Concept questions", 1, tests=concept_tests, total=2,
                                              passed=sum(t.outcome == "passed" for t in concept_tests))
            concept_task.score = concept_task.passed / 2
            tasks.append(concept_task)
            # The concepts assignment's way: one task per question, its test "Your answer", data {verdict, answer}.
            verdict = ("right", "wrong", "unanswered")[k % 3]
            answer = {"right": ["a", "c"], "wrong": ["a", "b"], "unanswered": None}[verdict]
            q3 = _test("test_answer[q3_activations]", "q3_activations", verdict == "right", "" if verdict == "right" else f"q3: {verdict}",
                       doc="Your answer", data={"verdict": verdict, "answer": answer})
            q3_task = scoring.TaskResult("q3_activations", "Which activations saturate?", 1, tests=[q3], total=1, passed=int(verdict == "right"))
            q3_task.score = float(verdict == "right")
            tasks.append(q3_task)
        result = scoring.SubmissionResult(name=f"student{k:02d}", assignment="normdemo", status="ok", tasks=tasks, seed=1000,
                                          execution_time=float(rng.uniform(3, 9)), assignment_version="1+abcdef")
        if k == 5:
            result = scoring.SubmissionResult(name="student05", assignment="normdemo", status="grader_error",
                                              tasks=[scoring.TaskResult(t.id, t.title, t.max_score) for t in tasks],
                                              message="the grader failed: the harness did not finish within 720 s", execution_time=720.0)
        if k == 6:
            result = scoring.SubmissionResult(name="student06", assignment="normdemo", status="student_error",
                                              tasks=[scoring.TaskResult(t.id, t.title, t.max_score) for t in tasks],
                                              message="<img src=x onerror=alert(1)> line 3: invalid syntax", execution_time=0.4)
        results.append(result)
    return results


def test_stats_of_the_class():
    stats = assignment_stats(make_class(with_concepts=True), "Normalisation demo")
    assert stats.submissions == 40 and stats.statuses == {"ok": 38, "grader_error": 1, "student_error": 1}
    assert len(stats.scores) == 39 and stats.max_score == 7                  # the grader error has no score
    mistakes = {m.text: m for m in stats.mistakes}
    # Counted once per submission among the 38 ok ones: k % 4 == 1 is 10 of 40, minus k = 5 (the grader error).
    assert mistakes[HINT_UNBIASED].submissions == 9 and mistakes[HINT_UNBIASED].tests == 36
    # k % 3 == 2: 13 of 40, minus k = 5.
    assert mistakes[HINT_FORGOT].submissions == 12 and mistakes["flipped the sign"].submissions == 4
    top = stats.failures[0]
    assert top.submissions == 12 and top.tests == 36 and top.text == "dx: max abs error #" and top.task == "backward"
    forward = {t.name: t for t in stats.tests if t.task == "forward"}
    assert forward["test_forward_0"].total == 38 and forward["test_forward_0"].passed == 29
    q1 = next(q for q in stats.concepts if q.name == "q1_variance")
    assert q1.answered == 38 and q1.right == 19 and q1.wrong_answers[0][0] == "unbiased"
    q3 = next(q for q in stats.concepts if q.task == "q3_activations")
    # k % 3 over the 38 ok submissions (k = 5, 6 excluded): 13 right, 13 wrong, 12 unanswered.
    assert (q3.label, q3.answered, q3.right, q3.unanswered) == ("Which activations saturate?", 38, 13, 12)
    assert q3.wrong_answers == [("a, b", 13)]
    assert not any(f.task == "q3_activations" for f in stats.failures)      # answers are not failure messages
    tasks = {t.id: t for t in stats.tasks}
    assert tasks["forward"].graded == 39 and tasks["forward"].complete_share == pytest.approx(29 / 39)


def test_message_pattern_blanks_numbers():
    assert message_pattern("running_var: 3 of 8 values differ; max abs error 0.0184 at index (4, 2). It looks like you x.") == \
        "running_var: # of # values differ; max abs error # at index (#)"
    assert message_pattern("dx: shape (3, 4), expected (4, 3)") == "dx: shape (#), expected (#)"


def _gradebook(path: pathlib.Path, results) -> pathlib.Path:
    with Gradebook(path) as book:
        for result in results:
            book.record(result, path=f"/subs/{result.name}.py", assignment_version="1+abcdef", sandbox="process")
    return path


def test_report_cli_one_self_contained_page_per_assignment(tmp_path):
    other = [scoring.SubmissionResult(name="x", assignment="other", status="ok", tasks=[scoring.TaskResult("t", "T", 1, score=1, passed=1, total=1,
                                      tests=[scoring.TestOutcome("t1", "t", "passed")])])]
    gradebook = _gradebook(tmp_path / "gradebook.sqlite", make_class() + other)
    command = [sys.executable, "-m", "autograder.cli", "report", "--gradebook", str(gradebook), "--out", str(tmp_path / "report.html")]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    page = (tmp_path / "report-normdemo.html").read_text()
    assert (tmp_path / "report-other.html").is_file()
    assert "Content-Security-Policy" in page and "<script" not in page.lower()
    sources = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert len(sources) >= 5 and all(source.startswith("data:image/svg+xml;base64,") for source in sources)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page   # a submission's text is escaped
    assert HINT_UNBIASED in page and "the harness did not finish within 720 s" in page
    only = subprocess.run(command[:-1] + [str(tmp_path / "only.html"), "--assignment", "normdemo"], capture_output=True, text=True, timeout=300)
    assert only.returncode == 0 and (tmp_path / "only.html").is_file()


def test_report_without_a_gradebook_fails_clearly(tmp_path):
    command = [sys.executable, "-m", "autograder.cli", "report", "--gradebook", str(tmp_path / "none.sqlite"), "--out", str(tmp_path / "r.html")]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2 and "no gradebook" in completed.stderr


def _chromium_missing() -> str | None:
    from chromium import chromium_binary

    return None if chromium_binary() else "chromium is not installed (apt-get install chromium; CI: .ci/report-browser.sh)"


@pytest.mark.skipif(_chromium_missing() is not None, reason=str(_chromium_missing()))
def test_report_renders_in_headless_chromium(tmp_path):
    from chromium import Chromium
    from PIL import Image

    page = tmp_path / "report.html"
    page.write_text(render_report(assignment_stats(make_class(with_concepts=True), "Normalisation demo"), source="a test"))
    with Chromium() as browser:
        browser.open(page.as_uri())
        images = browser.evaluate("""Array.from(document.images).map(i => {const r = i.getBoundingClientRect();
            return {alt: i.alt, complete: i.complete, width: i.naturalWidth, x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height};})""")
        headings = browser.evaluate("Array.from(document.querySelectorAll('h2')).map(h => h.textContent)")
        screenshot = browser.screenshot(tmp_path / "report.png")
        problems = browser.problems()
    assert problems == []
    assert [image["alt"] for image in images] == ["score distribution", "grading time per submission", "per-task scores", "per-test pass rates",
                                                  "diagnosed mistakes", "concept questions answered right"]
    assert all(image["complete"] and image["width"] > 100 and image["h"] > 50 for image in images), images
    assert headings[:4] == ["Scores", "Tasks", "Hidden tests", "Diagnosed mistakes"] and "Concept questions" in headings
    # The screenshot shows the plots: inside each image, many colours (bars, axes, text), not a blank box.
    picture = np.asarray(Image.open(screenshot).convert("RGB"))
    assert picture.shape[0] > 2000
    for image in images:
        box = picture[int(image["y"]):int(image["y"] + image["h"]), int(image["x"]):int(image["x"] + image["w"])]
        colours = len(np.unique(box.reshape(-1, 3), axis=0))
        assert colours > 20 and (box < 200).any(axis=2).mean() > 0.02, (image["alt"], colours)
    keep = os.environ.get("AG_REPORT_SCREENSHOT")
    if keep:
        pathlib.Path(keep).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, keep)
