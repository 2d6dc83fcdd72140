"""GitHub Classroom: the reporter's format, the job summary, and the example workflow run for real.

The slow test runs examples/github-classroom/.github/workflows/classroom.yml as GitHub
Actions would, step by step, in a fresh `git clone` of a sample student repository:
`run:` steps are executed with bash in the clone with GITHUB_ENV/GITHUB_OUTPUT/
GITHUB_STEP_SUMMARY files; `uses:` steps are stood in for (checkout of the grader =
a copy of this kit, setup-python = a fresh venv, the reporter = the same decoding and
sums as classroom-resources/autograding-grading-reporter's main.js and
notify-classroom.js). pip installs from a local wheelhouse (PIP_NO_INDEX) instead of
the network. With AG_CLASSROOM_REPORTER=/path/to/reporter/dist/main.js and node on
the PATH, the real reporter also runs on the step's output.
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

import pytest
import yaml

from autograder.formats.github_classroom import SubmissionNotFound, choose_file, reporter_payloads, step_summary, write_actions_files
from autograder import outcomes as scoring
from autograder.release import make_stub

REPO = pathlib.Path(__file__).resolve().parent.parent
WORKFLOW = REPO / "examples" / "github-classroom" / ".github" / "workflows" / "classroom.yml"


# --------------------------------------------------------------------------- the reporter, as its source reads the results


def reporter_reads(environ: dict, runners: str) -> dict:
    """What autograding-grading-reporter computes (src/main.js, notify-classroom.js, helpers/test-helpers.js).

    Returns the points it sends to Classroom (None when it sends none), its console
    table's per-runner scores and whether it fails the job.
    """
    results = []
    for runner in runners.split(","):
        encoded = environ[f"{runner.strip().upper()}_RESULTS"]
        results.append((runner, json.loads(base64.b64decode(encoded).decode("utf-8"))))
    total = sum(test["score"] for _, r in results if r.get("max_score") for test in r["tests"])
    maximum = sum(r["max_score"] for _, r in results if r.get("max_score"))
    table = {runner: (sum(1 for t in r["tests"] if t["status"] == "pass") / len(r["tests"])) * (r.get("max_score") or 0) for runner, r in results}
    failed = any(r["status"] in ("fail", "error") for _, r in results)
    return {"points": (total, maximum) if maximum else None, "table": table, "failed": failed, "results": dict(results)}


def _result(status="ok", message=""):
    tests_a = [scoring.TestOutcome("t1", "a", "passed"), scoring.TestOutcome("t2", "a", "failed", "x: It looks like you forgot the 1/N factor. more"),
               scoring.TestOutcome("t3", "a", "passed")]
    tests_b = [scoring.TestOutcome("u1", "b", "passed")]
    a = scoring.TaskResult("a", "Task A", 2, score=round(2 * 2 / 3, 6), passed=2, total=3, tests=tests_a)
    b = scoring.TaskResult("b", "Task B", 1, score=1.0, passed=1, total=1, tests=tests_b)
    if status != "ok":
        a = scoring.TaskResult("a", "Task A", 2)
        b = scoring.TaskResult("b", "Task B", 1)
    return scoring.SubmissionResult(name="s", assignment="toy", status=status, tasks=[a, b], message=message)


def test_reporter_points_are_the_task_scores(tmp_path):
    result = _result()
    env = {"GITHUB_ENV": str(tmp_path / "env"), "GITHUB_OUTPUT": str(tmp_path / "out"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    write_actions_files(result, "toy.py", env)
    exported = dict(line.split("=", 1) for line in (tmp_path / "env").read_text().splitlines())
    outputs = dict(line.split("=", 1) for line in (tmp_path / "out").read_text().splitlines())
    assert outputs["runners"] == "a,b" and outputs["points"] == f"{result.score:g}" and outputs["status"] == "ok"
    read = reporter_reads(exported, outputs["runners"])
    assert read["points"][0] == pytest.approx(result.score, abs=1e-4) and read["points"][1] == 3  # scores rounded to 4 decimals
    assert read["table"] == pytest.approx({"a": 2 * 2 / 3, "b": 1.0}, abs=1e-4)  # the console table agrees with the points
    assert read["failed"] and read["results"]["a"]["version"] == 1 and read["results"]["b"]["status"] == "pass"
    summary = (tmp_path / "summary.md").read_text()
    assert "**Points: 2.33333 / 3**" in summary and "it looks like you forgot the 1/N factor" in summary
    assert "| ❌ Task A (`a`) | 1.33333 / 2 | 2/3 |" in summary


def test_a_grader_fault_sends_no_points():
    read = reporter_reads({f"{runner.upper()}_RESULTS": base64.b64encode(json.dumps(payload).encode()).decode()
                           for runner, payload in reporter_payloads(_result("grader_error", "the harness failed"))}, "a,b")
    assert read["points"] is None and read["failed"]
    assert all(r["status"] == "error" and "grader failed" in r["tests"][0]["message"] for r in read["results"].values())
    assert "The grader failed, not your code" in step_summary(_result("grader_error", "boom"), "toy.py")


def test_an_unusable_submission_is_the_students_zero():
    read = reporter_reads({f"{runner.upper()}_RESULTS": base64.b64encode(json.dumps(payload).encode()).decode()
                           for runner, payload in reporter_payloads(_result("student_error", "syntax error line 3"))}, "a,b")
    assert read["points"] == (0, 3) and "syntax error line 3" in read["results"]["a"]["tests"][0]["message"]


def test_choose_file(toy_spec, toy_reference, tmp_path):
    repository = tmp_path / "repo"
    repository.mkdir()
    with pytest.raises(SubmissionNotFound):
        choose_file(repository, toy_spec)
    stub = make_stub(toy_reference, toy_spec)
    (repository / "toy.py").write_text(stub)
    assert choose_file(repository, toy_spec).name == "toy.py"
    (repository / "toy.ipynb").write_text("{}")
    assert choose_file(repository, toy_spec).name == "toy.ipynb"       # the .py is still the stub: the notebook is the work
    (repository / "toy.py").write_text(toy_reference)
    assert choose_file(repository, toy_spec).name == "toy.py"
    assert choose_file(repository, toy_spec, "toy.ipynb").name == "toy.ipynb"
    (repository / "sub").mkdir()
    (repository / "sub" / "toy.py").write_text(toy_reference)
    with pytest.raises(SubmissionNotFound):
        choose_file(repository, toy_spec, "sub/toy.py")                # never below the top (the grader's checkout is there)


# --------------------------------------------------------------------------- the workflow, step by step

EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def evaluate(expression: str, context: dict):
    """The few GitHub expressions the example workflow uses; anything else fails the test."""
    expression = expression.strip()
    if m := re.fullmatch(r"(vars|secrets)\.(\w+)", expression):
        return context[m[1]].get(m[2], "")
    if m := re.fullmatch(r"(vars)\.(\w+) \|\| '([^']*)'", expression):
        return context[m[1]].get(m[2]) or m[3]
    if m := re.fullmatch(r"steps\.(\w+)\.outputs\.([\w-]+)", expression):
        return context["steps"].get(m[1], {}).get(m[2], "")
    if m := re.fullmatch(r"always\(\) && steps\.(\w+)\.outputs\.([\w-]+) != ''", expression):
        return context["steps"].get(m[1], {}).get(m[2], "") != ""
    if m := re.fullmatch(r"github\.actor != '([^']*)'", expression):
        return context["github"]["actor"] != m[1]
    raise AssertionError(f"the test does not know the expression {expression!r}")


def substitute(text: str, context: dict) -> str:
    return EXPRESSION.sub(lambda m: str(evaluate(m[1], context)), text)


def read_actions_file(path: pathlib.Path) -> dict[str, str]:
    values = {}
    lines = path.read_text().splitlines() if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and "=" not in line.split("<<")[0]:
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            values[name] = "\n".join(lines[index + 1:end])
            index = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        index += 1
    return values


def copy_kit(target: pathlib.Path, assignment: str) -> None:
    """What `actions/checkout` of the grader repository brings: the kit with solutions/<assignment>."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "*.egg-info")
    target.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, target / name)
    shutil.copytree(REPO / "autograder", target / "autograder", ignore=ignore)
    shutil.copytree(REPO / "solutions" / assignment, target / "solutions" / assignment, ignore=ignore)


def make_student_repository(tmp_path: pathlib.Path, name: str, submission: bytes) -> pathlib.Path:
    """A repository as GitHub Classroom makes it from the template (assignments/batchnorm + the workflow), plus the student's commit."""
    origin = tmp_path / f"{name}-origin"
    shutil.copytree(REPO / "assignments" / "batchnorm", origin)
    shutil.copytree(WORKFLOW.parent.parent, origin / ".github")
    git = ["git", "-c", "user.name=Student", "-c", "user.email=student@example.com", "-C", str(origin)]
    subprocess.run(["git", "init", "-q", "-b", "main", str(origin)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "template"], check=True)
    (origin / "batchnorm.py").write_bytes(submission)
    subprocess.run([*git, "commit", "-qam", "my work"], check=True)
    clone = tmp_path / f"{name}-workspace"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    return clone


def run_workflow(workspace: pathlib.Path, venv: pathlib.Path, wheels: pathlib.Path, actor: str) -> dict:
    from wheelhouse import offline_pip_environment

    workflow = yaml.safe_load(WORKFLOW.read_text())
    job = workflow["jobs"]["autograding"]
    runner_temp = workspace.parent / f"{workspace.name}-runner"
    runner_temp.mkdir()
    context = {"vars": {"ASSIGNMENT": "batchnorm", "GRADER_REPOSITORY": "course/dl-grader"}, "secrets": {"GRADER_TOKEN": "x"},
               "steps": {}, "github": {"actor": actor}}
    assert evaluate(job["if"], context), "the job would not run for this actor"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(offline_pip_environment(wheels))
    env.update({"GITHUB_WORKSPACE": str(workspace), "GITHUB_ACTOR": actor, "GITHUB_ACTIONS": "true", "CI": "true"})
    env.update({key: substitute(str(value), context) for key, value in job.get("env", {}).items()})
    log = {"steps": [], "stdout": {}, "seconds": {}}
    for step in job["steps"]:
        name = step["name"]
        if "if" in step:
            condition = EXPRESSION.fullmatch(step["if"].strip())
            if not evaluate(condition[1] if condition else step["if"], context):
                log["steps"].append((name, "skipped"))
                continue
        started = time.monotonic()
        files = {key: runner_temp / f"{key.lower()}-{len(log['steps'])}" for key in ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")}
        for path in files.values():
            path.touch()
        uses = step.get("uses", "")
        if uses.startswith("actions/checkout@"):
            with_ = {key: substitute(str(value), context) for key, value in step.get("with", {}).items()}
            if "repository" in with_:
                assert with_["repository"] == "course/dl-grader" and with_["path"] == ".grader" and with_["ref"] == "main"
                copy_kit(workspace / with_["path"], "batchnorm")
            outcome = "stood in"
        elif uses.startswith("actions/setup-python@"):
            if not (venv / "bin" / "python").exists():
                subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
            outcome = "stood in"
        elif uses.startswith("classroom-resources/autograding-grading-reporter@"):
            runners = substitute(step["with"]["runners"], context)
            log["reporter"] = reporter_reads(env, runners)
            log["reporter_runners"] = runners
            outcome = "stood in"
        else:
            assert "run" in step and not uses, f"unknown step {step}"
            step_env = {**env, **{key: str(path) for key, path in files.items()}}
            completed = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", substitute(step["run"], context)], cwd=workspace, env=step_env,
                                       capture_output=True, text=True, timeout=1800)
            log["stdout"][name] = completed.stdout + completed.stderr
            assert completed.returncode == 0, f"step {name!r} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
            env.update(read_actions_file(files["GITHUB_ENV"]))
            if "id" in step:
                context["steps"][step["id"]] = read_actions_file(files["GITHUB_OUTPUT"])
            summary = files["GITHUB_STEP_SUMMARY"].read_text()
            if summary:
                log["summary"] = summary
            outcome = "ran"
        log["seconds"][name] = time.monotonic() - started
        log["steps"].append((name, outcome))
    real_reporter = os.environ.get("AG_CLASSROOM_REPORTER")
    if real_reporter and shutil.which("node") and "reporter_runners" in log:
        completed = subprocess.run(["node", real_reporter], env={**env, "INPUT_RUNNERS": log["reporter_runners"]}, capture_output=True, text=True)
        log["real_reporter"] = completed.stdout
    return log


@pytest.mark.slow
def test_the_example_workflow_in_a_fresh_clone(tmp_path):
    from wheelhouse import GRADER_PACKAGES, wheelhouse

    wheels = wheelhouse("grader", GRADER_PACKAGES)
    venv = tmp_path / "venv"
    reference = (REPO / "solutions" / "batchnorm" / "batchnorm.py").read_bytes()
    buggy = (REPO / "examples" / "batchnorm" / "bob_unbiased_running_var.py").read_bytes()

    correct = run_workflow(make_student_repository(tmp_path, "alice", reference), venv, wheels, "alice")
    print(f"\nworkflow steps (correct submission): {({k: round(v, 1) for k, v in correct['seconds'].items()})}")
    assert [outcome for _, outcome in correct["steps"]] == ["stood in", "stood in", "stood in", "ran", "ran", "stood in"]
    grade_output = correct["stdout"]["Grade"]
    assert "grading batchnorm.py of alice-workspace for alice" in grade_output and "Points 16/16" in grade_output
    assert correct["reporter"]["points"] == (16, 16) and not correct["reporter"]["failed"]
    assert "**Points: 16 / 16**" in correct["summary"]
    if "real_reporter" in correct:
        print(correct["real_reporter"][-600:])
        assert "::notice title=Autograding complete::Points 16/16" in correct["real_reporter"]

    wrong = run_workflow(make_student_repository(tmp_path, "bob", buggy), venv, wheels, "bob")
    print(f"workflow steps (buggy submission): {({k: round(v, 1) for k, v in wrong['seconds'].items()})}")
    printed = re.search(r"Points ([\d.]+)/16", wrong["stdout"]["Grade"])
    assert printed and 0 < float(printed[1]) < 16
    points, maximum = wrong["reporter"]["points"]
    assert maximum == 16 and f"{points:g}" == f"{float(printed[1]):g}" and wrong["reporter"]["failed"]
    assert wrong["reporter"]["table"]["bn_forward"] < 3 and wrong["reporter"]["table"]["layernorm"] == 2
    summary = wrong["summary"]
    assert "| task | points | tests passed | diagnosed mistakes |" in summary
    assert "updated running_var with the unbiased batch variance" in summary
    if "real_reporter" in wrong:
        assert f"Points {points}" in wrong["real_reporter"] or "::notice title=Autograding complete::Points" in wrong["real_reporter"]
