"""Grading throughput: seconds per submission, and overhead against in-process tests.

    .venv/bin/python bench/bench_grading.py [--assignment batchnorm] [--copies 4] [--jobs 2]

Grades COPIES x a mixed batch (reference, stub, first mutant, a submission that
loops forever in one function) through the real pipeline (process sandbox), and
runs the same hidden tests in-process on the reference (``--ag-mode local``).
Both are measured in this one run, so the ratio does not depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.grading import GradeOptions, grade_batch  # noqa: E402
from autograder.harness.run import pytest_args  # noqa: E402
from autograder.release import make_stub  # noqa: E402
from autograder.spec import find_assignment  # noqa: E402
from autograder.validate import load_mutants  # noqa: E402


def in_process_seconds(spec, seed: int) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        outcomes = pathlib.Path(scratch) / "o.json"
        args = pytest_args(spec.tests_dir("hidden"), submission=str(spec.root / spec.module_file), assignment=str(spec.root),
                           outcomes=str(outcomes), mode="local", seed=seed, hidden=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", *args], capture_output=True, check=False)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="batchnorm")
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    spec = find_assignment(options.assignment, REPO)
    reference = (spec.root / spec.module_file).read_text()
    mutants = load_mutants(spec)
    kinds = {
        "reference": reference,
        "stub": make_stub(reference, spec),
        "mutant": reference + "\n" + (mutants[0].source if mutants else ""),
        "looping": reference + f"\n\ndef {spec.functions[0]}(*args, **kwargs):\n    while True:\n        pass\n",
    }
    with tempfile.TemporaryDirectory() as scratch:
        folder = pathlib.Path(scratch)
        paths = []
        for copy in range(options.copies):
            for kind, source in kinds.items():
                path = folder / f"{kind}-{copy}.py"
                path.write_text(source)
                paths.append(path)
        baseline = in_process_seconds(spec, options.seed)
        started = time.perf_counter()
        results = grade_batch(spec, paths, folder / "out", GradeOptions(jobs=options.jobs, seed=options.seed, progress=False))
        elapsed = time.perf_counter() - started
    per_submission = elapsed / len(paths)
    reference_times = [r.execution_time for r in results if r.name.startswith("reference")]
    report = {
        "assignment": spec.id,
        "submissions": len(paths),
        "jobs": options.jobs,
        "batch_seconds": round(elapsed, 2),
        "seconds_per_submission": round(per_submission, 2),
        "reference_seconds_each_graded": round(sum(reference_times) / len(reference_times), 2),
        "reference_seconds_in_process": round(baseline, 2),
        "overhead_ratio_reference": round(sum(reference_times) / len(reference_times) / baseline, 2),
        "statuses": {s: sum(1 for r in results if r.status == s) for s in ("ok", "student_error", "grader_error")},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
