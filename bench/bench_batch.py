"""Benchmark: a batch of N submissions (10% pathological) through the real CLI, then SIGKILL + ``--resume``.

    .venv/bin/python bench/bench_batch.py [--count 200] [--jobs 2] [--sandbox process] [--workdir DIR]

Pathological submissions rotate through: an infinite loop (timeout), a memory
bomb, a crash (os._exit), a fork bomb. The rest are correct or slightly wrong.
Run 1 grades the whole batch. Run 2 grades it again in a fresh folder, SIGKILLs
the grader when about half is recorded, and resumes. Both must end with exactly
one result per submission. Prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "adversarial"))

from course import REFERENCE, write_course  # noqa: E402

PATHOLOGICAL = {
    "timeout": ("    return a * x\n", "    while True:\n        pass\n"),
    "memory": ("    return a * x\n", "    hog = []\n    while True:\n        hog.append(__import__('numpy').empty(1 << 25))\n"),
    "crash": ("    return a * x\n", "    import os\n    os._exit(3)\n"),
    "forkbomb": ("    return a * x\n", "    import os\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass\n"),
}


def make_submissions(folder: pathlib.Path, count: int) -> list[pathlib.Path]:
    folder.mkdir(parents=True, exist_ok=True)
    kinds = list(PATHOLOGICAL)
    paths = []
    for index in range(count):
        body = REFERENCE
        if index % 10 == 9:
            old, new = PATHOLOGICAL[kinds[(index // 10) % len(kinds)]]
            body = body.replace(old, new)
        elif index % 3 == 1:
            body = body.replace("return e / e.sum(axis=1, keepdims=True)", "return e / e.sum()")  # a plausible mistake
        path = folder / f"s{index:04d}.py"
        path.write_text(body + f"\n# submission {index}\n")
        paths.append(path)
    return paths


def grade_command(base, out, paths, args, *extra) -> list[str]:
    return [sys.executable, "-m", "autograder.cli", "--base", str(base), "grade", "--assignment", "hx", "--sandbox", args.sandbox,
            "--jobs", str(args.jobs), "--quiet", "--out", str(out), *extra, *map(str, paths)]


def rows(gradebook: pathlib.Path) -> list[tuple]:
    if not gradebook.exists():
        return []
    try:
        return sqlite3.connect(gradebook, timeout=30).execute("SELECT name, status FROM attempts").fetchall()
    except sqlite3.OperationalError:
        return []


def summary(gradebook: pathlib.Path, expected: int) -> dict:
    found = rows(gradebook)
    names = [name for name, _ in found]
    statuses: dict[str, int] = {}
    for _, status in found:
        statuses[status] = statuses.get(status, 0) + 1
    return {"rows": len(found), "distinct_submissions": len(set(names)), "expected": expected, "statuses": statuses,
            "exactly_one_each": len(names) == len(set(names)) == expected}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sandbox", default="process")
    parser.add_argument("--workdir")
    args = parser.parse_args()
    work = pathlib.Path(args.workdir or tempfile.mkdtemp(prefix="bench-batch-"))
    scratch = work / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, TMPDIR=str(scratch), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONPATH=str(REPO))
    base = write_course(work / "course")
    paths = make_submissions(work / "submissions", args.count)
    report: dict = {"count": args.count, "pathological": sum(1 for i in range(args.count) if i % 10 == 9), "jobs": args.jobs,
                    "sandbox": args.sandbox, "cpus": os.cpu_count()}

    started = time.monotonic()
    subprocess.run(grade_command(base, work / "run1", paths, args), env=env, check=True, capture_output=True)
    report["full_run"] = {"seconds": round(time.monotonic() - started, 1), **summary(work / "run1" / "gradebook.sqlite", args.count)}

    gradebook = work / "run2" / "gradebook.sqlite"
    started = time.monotonic()
    grader = subprocess.Popen(grade_command(base, work / "run2", paths, args), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    while grader.poll() is None and len(rows(gradebook)) < args.count // 2:
        time.sleep(0.2)
    os.kill(grader.pid, signal.SIGKILL)
    grader.wait()
    killed_at = len(rows(gradebook))
    time.sleep(3)  # the orphaned harness of the submission in flight finishes or dies
    resumed = time.monotonic()
    subprocess.run(grade_command(base, work / "run2", paths, args, "--resume"), env=env, check=True, capture_output=True)
    report["kill_and_resume"] = {"recorded_before_kill": killed_at, "resume_seconds": round(time.monotonic() - resumed, 1),
                                 "total_seconds": round(time.monotonic() - started, 1), **summary(gradebook, args.count)}
    report["leftover_scratch_dirs"] = sorted(p.name for p in scratch.iterdir())
    print(json.dumps(report, indent=2))
    return 0 if report["full_run"]["exactly_one_each"] and report["kill_and_resume"]["exactly_one_each"] else 1


if __name__ == "__main__":
    sys.exit(main())
