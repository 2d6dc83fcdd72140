"""The grading engine against otter-grader, and against the bare compute of the tests, in ONE run.

    bash bench/setup_otter.sh                     # once: otter-grader 7.0.0 in bench/.otter-venv
    .venv/bin/python bench/bench_engine.py [--rounds 3] [--copies 4] [--sandboxes process bwrap docker-chunk docker]

The ten batch-norm notebooks of ../shared/bench/otter_baseline (correct, buggy, stub, a
debug print, attacks on otter) are graded by both graders, interleaved round by round
(otter, ours, otter, ours, ...), so both see the same machine load; the report gives
ratios measured in this run, not absolute times:

- one notebook end to end: ``autograder grade`` (CLI, process sandbox) vs ``otter run``, with
  the oracle memo on disk that the warm-up run left (every later grading of this assignment
  version and seed), and with an empty one (the first: it grades the reference first);
- a batch of ``10 * copies`` notebooks with ``--jobs 2``, per submission, for every
  sandbox asked for, vs ``otter run`` per notebook;
- the same batch against the bare compute of its tests: the hidden tests run
  in-process (no sandbox, no worker, the oracle memo warm) on every notebook's
  module, which is the student's calls plus the comparisons; the ideal wall time of
  the batch is that compute divided by the job slots;
- ``docker`` (a container per submission) against ``docker-chunk``.

Both graders' results are checked, not only timed: otter must write results for every
notebook it can grade and give ``correct.ipynb`` 27/27; ours must grade every notebook
without a grader error, give ``correct`` and ``correct_print`` the same score (the points
of otter's three functions under this course's seven-task contract) and the stub 0; a
grader that did not grade stops the benchmark. Medians over the rounds. Docker sandboxes
need the grader image of batchnorm (.ci/sandboxes.sh builds it) and are skipped with the
reason otherwise.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
BASELINE = REPO.parent / "shared" / "bench" / "otter_baseline"
OTTER = pathlib.Path(os.environ.get("OTTER_VENV", REPO / "bench" / ".otter-venv")) / "bin" / "otter"
AUTOGRADER = [sys.executable, "-m", "autograder.cli"]


def notebooks() -> list[pathlib.Path]:
    return sorted((BASELINE / "submissions").glob("*.ipynb"))


def otter_zip() -> pathlib.Path:
    return next((BASELINE / "dist" / "autograder").glob("*.zip"))


def timed(command: list[str], cwd: pathlib.Path, env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=3600)
    return time.perf_counter() - started


#: notebooks otter cannot grade (BASELINE's README: os._exit kills its kernel, `otter run` exits 1 without results)
OTTER_CRASHES = {"h_osexit"}
#: otter's score for correct.ipynb, the notebook the single-notebook rows time (BASELINE's results/oracle.json)
CORRECT_OTTER_SCORE = 27.0


def otter_run(notebook: pathlib.Path, scratch: pathlib.Path) -> float:
    """Seconds of one ``otter run``; stops the benchmark when otter did not grade (a failed run is no baseline)."""
    out = scratch / f"otter-{notebook.stem}-{time.monotonic_ns()}"
    out.mkdir(parents=True, exist_ok=True)
    seconds = timed([str(OTTER), "run", "--no-logo", "-a", str(otter_zip()), "-o", str(out), str(notebook)], scratch)
    results = out / "results.json"
    if notebook.stem not in OTTER_CRASHES:
        if not results.is_file():
            sys.exit(f"otter run wrote no results for {notebook.name}: run it by hand to see why "
                     f"(is the venv's python3 kernel installed? bash bench/setup_otter.sh)")
        if notebook.stem == "correct":
            score = sum(test.get("score", 0) for test in json.loads(results.read_text())["tests"])
            if score != CORRECT_OTTER_SCORE:
                sys.exit(f"otter gave correct.ipynb {score}, not {CORRECT_OTTER_SCORE}: the baseline is not grading")
    shutil.rmtree(out, ignore_errors=True)
    return seconds


def ours_grade(paths: list[pathlib.Path], scratch: pathlib.Path, sandbox: str, jobs: int, *, cold: bool = False) -> float:
    """Seconds of one ``autograder grade``; ``cold``: with an empty oracle memo on disk (a first run of this
    assignment version and seed, which grades the reference first and saves its values)."""
    out = scratch / f"ours-{sandbox}-{len(paths)}-{time.monotonic_ns()}"
    command = [*AUTOGRADER, "grade", "--assignment", "batchnorm", "--sandbox", sandbox, "--jobs", str(jobs), "--seed", "7",
               "--quiet", "--out", str(out), *map(str, paths)]
    env = None
    if cold:
        memo = scratch / f"memo-{time.monotonic_ns()}"
        memo.mkdir(mode=0o700)
        env = {**os.environ, "AUTOGRADER_ORACLE_CACHE": str(memo)}
    seconds = timed(command, REPO, env)
    grades = out / "grades.csv"
    rows = list(csv.DictReader(grades.open())) if grades.is_file() else []
    if len(rows) != len(paths):
        sys.exit(f"autograder grade ({sandbox}) graded {len(rows)} of {len(paths)} notebooks: run it by hand to see why")
    if errors := [row["name"] for row in rows if row["status"] == "grader_error"]:
        sys.exit(f"autograder grade ({sandbox}) recorded grader errors: {errors[:3]}")
    # The notebooks implement otter's three functions of the assignment, so under this course's
    # contract (seven tasks) `correct` earns the points of the tasks it has, the same every time,
    # with or without its debug print; the stub earns nothing.
    correct = {float(row["total"]) for row in rows if row["name"].startswith("correct")}
    stub = {float(row["total"]) for row in rows if row["name"].startswith("stub")}
    if len(correct) > 1 or correct == {0.0} or stub - {0.0}:
        sys.exit(f"autograder grade ({sandbox}) is not grading consistently: correct {sorted(correct)}, stub {sorted(stub)}")
    shutil.rmtree(out, ignore_errors=True)
    return seconds


def bare_compute(paths: list[pathlib.Path]) -> float:
    """Seconds of the hidden tests run in-process on every notebook's module (after a warm-up pass)."""
    from autograder.harness.local import LocalSubmission, load_module_from_file
    from autograder.harness.runner import TestSuite
    from autograder.intake import intake
    from autograder.spec import find_assignment

    spec = find_assignment("batchnorm", REPO)
    suite = TestSuite(spec.tests_dir("hidden"), assignment=spec.root)
    bundles = [intake(path, spec) for path in paths]
    try:
        def run_all() -> float:
            started = time.perf_counter()
            for bundle in bundles:
                module_file = bundle.directory / spec.module_file
                suite.run(lambda: LocalSubmission(load_module_from_file(module_file), spec.limits.call_timeout_s), seed=7)
            return time.perf_counter() - started

        run_all()  # warm: imports, torch's first calls, the oracle memo
        return run_all()
    finally:
        suite.close()
        for bundle in bundles:
            bundle.cleanup()


def docker_reason(sandbox: str) -> str | None:
    if not sandbox.startswith("docker"):
        return None
    from autograder.sandbox import make_sandbox
    from autograder.grader_image import image_content_hash, image_tag
    from autograder.spec import find_assignment

    try:
        make_sandbox(sandbox)
    except Exception as exc:  # noqa: BLE001
        return str(exc)
    label = subprocess.run(["docker", "image", "inspect", "--format", '{{index .Config.Labels "org.autograder.source-hash"}}', image_tag("batchnorm")],
                           capture_output=True, text=True)
    if label.returncode != 0 or label.stdout.strip() != image_content_hash(find_assignment("batchnorm", REPO)):
        return "the batchnorm grader image is missing or stale: autograder image build --assignment batchnorm --base autograder-base:bookworm"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--copies", type=int, default=4, help="the ten notebooks this many times in the batch (4: 40 notebooks)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sandboxes", nargs="+", default=["process", "bwrap", "docker-chunk", "docker"])
    parser.add_argument("--out", help="also write the report here (JSON)")
    options = parser.parse_args()
    if not OTTER.exists():
        sys.exit(f"no otter at {OTTER}: run `bash bench/setup_otter.sh` first")
    skipped = {name: reason for name in options.sandboxes if (reason := docker_reason(name))}
    sandboxes = [name for name in options.sandboxes if name not in skipped]
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="ag-bench-engine-"))
    batch = []
    for copy in range(options.copies):
        for notebook in notebooks():
            target = scratch / "batch" / f"{notebook.stem}-{copy}.ipynb"
            target.parent.mkdir(exist_ok=True)
            shutil.copy2(notebook, target)
            batch.append(target)
    single = BASELINE / "submissions" / "correct.ipynb"
    samples: dict[str, list[float]] = {}

    def add(key: str, value: float) -> None:
        samples.setdefault(key, []).append(value)

    try:
        otter_run(single, scratch)  # warm-ups: page cache, kernels, images
        ours_grade([single], scratch, "process", 1)
        for round_number in range(options.rounds):
            add("otter_single_s", otter_run(single, scratch))
            add("ours_single_s", ours_grade([single], scratch, "process", 1))
            add("ours_single_cold_memo_s", ours_grade([single], scratch, "process", 1, cold=True))
            add("otter_per_notebook_s", statistics.median(otter_run(nb, scratch) for nb in notebooks()))
            for name in sandboxes:
                add(f"ours_batch_{name}_per_submission_s", ours_grade(batch, scratch, name, options.jobs) / len(batch))
            add("bare_compute_per_submission_s", bare_compute(batch) / len(batch))
            print(f"round {round_number + 1}/{options.rounds}: " + ", ".join(f"{k}={v[-1]:.3f}" for k, v in samples.items()), file=sys.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    median = {key: statistics.median(values) for key, values in samples.items()}
    ratios = {
        "single_notebook_otter_over_ours": median["otter_single_s"] / median["ours_single_s"],
        "single_notebook_cold_memo_otter_over_ours": median["otter_single_s"] / median["ours_single_cold_memo_s"],
    }
    for name in sandboxes:
        per = median[f"ours_batch_{name}_per_submission_s"]
        ratios[f"batch_{name}_otter_over_ours"] = median["otter_per_notebook_s"] / per
        ratios[f"batch_{name}_over_bare_compute_per_slot"] = per / (median["bare_compute_per_submission_s"] / options.jobs)
    if "docker" in sandboxes and "docker-chunk" in sandboxes:
        ratios["docker_over_docker_chunk"] = median["ours_batch_docker_per_submission_s"] / median["ours_batch_docker-chunk_per_submission_s"]
    report = {"rounds": options.rounds, "batch_size": len(batch), "jobs": options.jobs, "cpus": os.cpu_count(),
              "load_average_at_end": os.getloadavg(), "median_seconds": median, "ratios": ratios, "skipped": skipped}
    text = json.dumps(report, indent=2, default=lambda value: round(value, 4))
    print(text)
    if options.out:
        pathlib.Path(options.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
