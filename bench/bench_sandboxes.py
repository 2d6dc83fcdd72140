"""Per-submission overhead of each sandbox, as ratios against ``process``, in one run.

    .venv/bin/python bench/bench_sandboxes.py [--repeat 5] [--base-image autograder-base:bookworm]

Grades a trivial submission of a one-test assignment ``repeat`` times under
``process``, ``bwrap``, ``docker`` (a container per submission) and
``docker-chunk`` (one container per job slot, started by the first, uncounted,
run and reused) -- those available here -- and prints the median seconds per
submission and the ratio to ``process``; for docker also the bare container
start (``docker run --rm IMAGE true``) and the worker start inside a container.
The docker image is built first (cached by docker).
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from autograder.grading import GradeOptions, grade_one  # noqa: E402
from autograder.sandbox import SandboxUnavailable, make_sandbox  # noqa: E402
from autograder.spec import load_spec  # noqa: E402

TOML = 'id = "benchprobe"\nmodule = "benchprobe"\nforbidden_imports = ["torch"]\n[[tasks]]\nid = "t"\npoints = 1\nfunctions = ["double"]\n'
TEST = ('import numpy as np, pytest\nfrom autograder.testing import assert_close\n\n@pytest.mark.task("t")\n'
        'def test_double(submission, rng):\n    x = rng.normal(size=(8, 8))\n    assert_close(submission.double(x), 2 * x)\n')
SUBMISSION = "def double(x):\n    return 2 * x\n"


def make_assignment(base: pathlib.Path) -> pathlib.Path:
    root = base / "solutions" / "benchprobe"
    (root / "tests" / "hidden").mkdir(parents=True)
    (root / "tests" / "public").mkdir(parents=True)
    (root / "assignment.toml").write_text(TOML)
    (root / "benchprobe.py").write_text(SUBMISSION)
    (root / "tests" / "hidden" / "test_b.py").write_text(TEST)
    return root


def time_sandbox(name: str, spec, submission: pathlib.Path, repeat: int) -> list[float] | str:
    try:
        sandbox = make_sandbox(name)
    except SandboxUnavailable as exc:
        return str(exc)
    times = []
    for index in range(repeat + 1):  # the first run warms caches and is not counted
        started = time.perf_counter()
        result = grade_one(spec, submission, "bench", sandbox, GradeOptions(sandbox=name, seed=1, progress=False, retries=0))
        elapsed = time.perf_counter() - started
        if result.status != "ok" or result.tasks[0].score != 1:
            return f"{name}: unexpected result {result.status} {result.message[:200]}"
        if index:
            times.append(elapsed)
    close = getattr(sandbox, "close", None)
    if close:
        close()
    return times


def time_command(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--base-image", default="autograder-base:bookworm")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        spec = load_spec(make_assignment(pathlib.Path(scratch)))
        submission = pathlib.Path(scratch) / "benchprobe.py"
        submission.write_text(SUBMISSION)
        try:
            from autograder.image import build_image

            build_image(spec, base=options.base_image, quiet=True)
        except Exception as exc:  # noqa: BLE001 (docker is optional here)
            print(f"docker image not built: {exc}")
        rows = {name: time_sandbox(name, spec, submission, options.repeat) for name in ("process", "bwrap", "docker", "docker-chunk")}
        baseline = statistics.median(rows["process"]) if isinstance(rows["process"], list) else None
        print(f"{'sandbox':<14}{'median s/submission':>22}{'ratio to process':>20}")
        for name, times in rows.items():
            if isinstance(times, str):
                print(f"{name:<14}  unavailable: {times}")
                continue
            median = statistics.median(times)
            ratio = f"{median / baseline:.2f}x" if baseline else "-"
            print(f"{name:<14}{median:>22.3f}{ratio:>20}")
        if isinstance(rows["docker"], list):
            from autograder.sandbox.docker import image_tag

            tag = image_tag(spec.id)
            bare = time_command(["docker", "run", "--rm", "--network", "none", tag, "true"], options.repeat)
            python = time_command(["docker", "run", "--rm", "--network", "none", tag, "/opt/worker/bin/python", "-c", "import numpy"], options.repeat)
            print(f"docker parts: container start {bare:.3f} s, + worker python with numpy {python:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
