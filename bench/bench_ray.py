"""Benchmark: a batch on a local Ray cluster against the local executor, interleaved in one run.

    .venv/bin/python bench/bench_ray.py [--count 200] [--small 20] [--jobs 2] [--rounds 2] [--sandbox process]

Both executors grade the same submissions of the ``hx`` assignment (correct ones and
plausible mistakes, no pathological ones: this measures the executor, not time-outs)
with the same seed and the same number of job slots, through the real CLI:
``--executor local --jobs J`` and ``--executor ray --jobs J`` on a cluster started here
(a head and a worker node, ``ray start``, J/2 CPUs each; tests/ray_cluster.py). The runs
alternate (local, ray, local, ray, ...) so that load from elsewhere hits both alike.

Reported (medians over the rounds):

- ``seconds``: wall time of a whole batch of ``count``, CLI start to exit;
- ``per_submission_s``: the marginal cost of one more submission,
  ``(t(count) - t(small)) / (count - small)``: the fixed costs (starting the CLI,
  connecting to Ray, starting the slots and their harnesses) cancel out;
- ``ray_over_local``: the ratios ray / local of both, the per-submission one being the
  overhead per submission Ray adds;
- whether both executors gave byte-identical ``grades.csv``.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "adversarial"))
sys.path.insert(0, str(REPO / "tests"))

from course import REFERENCE, write_course  # noqa: E402
from ray_cluster import LocalRayCluster, ray_missing_reason  # noqa: E402

SEED = "4242"


def make_submissions(folder: pathlib.Path, count: int) -> list[pathlib.Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        body = REFERENCE
        if index % 3 == 1:
            body = body.replace("return e / e.sum(axis=1, keepdims=True)", "return e / e.sum()")  # a plausible mistake
        path = folder / f"s{index:04d}.py"
        path.write_text(body + f"\n# submission {index}\n")
        paths.append(path)
    return paths


def run_batch(base: pathlib.Path, out: pathlib.Path, paths: list[pathlib.Path], args, env: dict, *executor: str) -> float:
    command = [sys.executable, "-m", "autograder.cli", "--base", str(base), "grade", "--assignment", "hx", "--sandbox", args.sandbox,
               "--jobs", str(args.jobs), "--seed", SEED, "--quiet", "--out", str(out), *executor, *map(str, paths)]
    started = time.monotonic()
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if completed.returncode != 0:
        raise SystemExit(f"bench_ray: {' '.join(executor) or 'local'} batch failed:\n{completed.stderr[-3000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--small", type=int, default=20, help="the small batch whose time is the fixed costs (default 20)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--sandbox", default="process")
    parser.add_argument("--workdir")
    args = parser.parse_args()
    if not 0 < args.small < args.count:
        raise SystemExit("bench_ray: need 0 < --small < --count")
    reason = ray_missing_reason()
    if reason:
        raise SystemExit(f"bench_ray: {reason}")
    work = pathlib.Path(args.workdir or tempfile.mkdtemp(prefix="bench-ray-"))
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONPATH=str(REPO))
    base = write_course(work / "course")
    paths = make_submissions(work / "submissions", args.count)
    sizes = {"small": paths[: args.small], "full": paths}
    times: dict[tuple[str, str], list[float]] = {}
    identical = True
    with LocalRayCluster() as cluster:
        started = time.monotonic()
        cluster.start_head(cpus=(args.jobs + 1) // 2)
        if args.jobs > 1:
            cluster.add_node(cpus=args.jobs // 2)
        cluster_seconds = time.monotonic() - started
        executors = {"local": (), "ray": ("--executor", "ray", "--ray-address", cluster.address)}
        for round_index in range(args.rounds):
            for size, batch in sizes.items():
                for name, flags in executors.items():  # interleaved: local, ray, local, ray
                    out = work / f"{name}-{size}-{round_index}"
                    times.setdefault((name, size), []).append(run_batch(base, out, batch, args, env, *flags))
                identical &= (work / f"local-{size}-{round_index}" / "grades.csv").read_bytes() == \
                    (work / f"ray-{size}-{round_index}" / "grades.csv").read_bytes()

    report: dict = {"count": args.count, "small": args.small, "jobs": args.jobs, "rounds": args.rounds, "sandbox": args.sandbox,
                    "cpus": os.cpu_count(), "cluster_start_seconds": round(cluster_seconds, 1), "identical_grades_csv": identical}
    for name in ("local", "ray"):
        full, small = statistics.median(times[(name, "full")]), statistics.median(times[(name, "small")])
        report[name] = {"seconds": round(full, 2), "small_batch_seconds": round(small, 2),
                        "per_submission_s": round((full - small) / (args.count - args.small), 4),
                        "submissions_per_s": round(args.count / full, 2), "all_seconds": [round(t, 2) for t in times[(name, "full")]]}
    report["ray_over_local"] = {"batch": round(report["ray"]["seconds"] / report["local"]["seconds"], 3),
                                "per_submission": round(report["ray"]["per_submission_s"] / report["local"]["per_submission_s"], 3)}
    report["ray_fixed_cost_s"] = round(report["ray"]["small_batch_seconds"] - args.small * report["ray"]["per_submission_s"]
                                       - (report["local"]["small_batch_seconds"] - args.small * report["local"]["per_submission_s"]), 2)
    print(json.dumps(report, indent=2))
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
