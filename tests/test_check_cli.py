"""autograder check: public tests in-process, with messages that teach."""

import subprocess
import sys


def check(base, path, *extra):
    return subprocess.run([sys.executable, "-m", "autograder.cli", "--base", str(base), "check", str(path), "--assignment", "toy", *extra],
                          capture_output=True, text=True, timeout=120)


def test_check_passes_the_reference_and_explains_mistakes(toy_base, toy_reference, tmp_path):
    good = tmp_path / "toy.py"
    good.write_text(toy_reference)
    completed = check(toy_base, good)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "PASS  scale" in completed.stdout and "2/2 public tests passed" in completed.stdout

    wrong = tmp_path / "wrong.py"
    wrong.write_text(toy_reference.replace("out = x * factor", "out = x"))
    completed = check(toy_base, wrong)
    assert completed.returncode == 1
    assert "FAIL  scale" in completed.stdout and "It looks like you forgot to multiply" in completed.stdout
    assert "max abs error" in completed.stdout

    completed = check(toy_base, good, "--hidden")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "hidden tests passed" in completed.stdout and "public tests" not in completed.stdout


def test_check_one_task_and_unreadable_input(toy_base, toy_reference, tmp_path):
    good = tmp_path / "toy.py"
    good.write_text(toy_reference)
    completed = check(toy_base, good, "--task", "stats")
    assert completed.returncode == 0, completed.stdout
    assert "PASS  stats" in completed.stdout and "scale" not in completed.stdout and "1/1 public tests passed" in completed.stdout
    empty = tmp_path / "empty.py"
    empty.write_text("")
    completed = check(toy_base, empty)
    assert completed.returncode == 2 and "empty" in completed.stderr


def test_check_stops_an_endless_loop_at_the_call_limit(toy_base, toy_reference, tmp_path):
    looping = tmp_path / "toy.py"
    looping.write_text(toy_reference.replace("out = x * factor", "while True:\n        pass"))
    completed = check(toy_base, looping)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "timed out after 3 s in `scale_forward`" in completed.stdout
    assert "PASS  stats" in completed.stdout  # the other task still passes
