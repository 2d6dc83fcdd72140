"""Every case of ADVERSARIAL.md, graded through the real CLI with a real sandbox.

The case files live in tests/adversarial/ and their expected outcomes in
tests/adversarial/cases.toml (a new case is one file plus one line there). All
cases are graded as ONE batch per sandbox (``autograder grade --jobs 2``), which
also proves that no case breaks the batch; then each case is checked on its own:
status, score per task, a phrase its feedback must (or must not) contain. After
the batch: no process and no ``ag-*`` scratch directory is left behind, and
nothing was written outside the work directories.

Sandboxes: ``process`` always; ``bwrap`` where bubblewrap works here; ``docker`` and ``docker-chunk``
where a daemon answers and the offline base image exists (.ci/sandboxes.sh).
Add a name to SANDBOXES to cover another backend.
"""

from __future__ import annotations

import csv
import json
import os
import pathlib
import subprocess
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent / "adversarial"))

from course import TASKS, write_course  # noqa: E402
from materialize import case_name, load_cases, materialize  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
CASES = load_cases()
POINTS = {"scale": 1.0, "softmax": 2.0, "affine": 3.0}
SECRET = "s3cret-token"
MARKERS_OUTSIDE = ("/tmp/ag-pwned-by-case-26", "/tmp/ag-zip-slip-case-7.py", "/tmp/ag-case-9-ran", "/tmp/results.json")


def _bwrap_reason() -> str | None:
    try:
        from autograder.launchers.bwrap import bwrap_unavailable_reason
    except ImportError:
        return "the bwrap sandbox is not built"
    return bwrap_unavailable_reason()


BASE_IMAGE = os.environ.get("AG_BASE_IMAGE", "autograder-base:bookworm")


def _docker_reason() -> str | None:
    from autograder.grader_image import docker_unavailable_reason

    if docker_unavailable_reason():
        return docker_unavailable_reason()
    if subprocess.run(["docker", "image", "inspect", BASE_IMAGE], capture_output=True).returncode != 0:
        return f"base image {BASE_IMAGE} absent: run .ci/sandboxes.sh"
    return None


SANDBOXES = [
    pytest.param("process", marks=pytest.mark.slow),
    pytest.param("bwrap", marks=[pytest.mark.slow, pytest.mark.skipif(_bwrap_reason() is not None, reason=str(_bwrap_reason()))]),
    pytest.param("docker", marks=[pytest.mark.slow, pytest.mark.skipif(_docker_reason() is not None, reason=str(_docker_reason()))]),
    # One container per job slot: every hostile case is followed by others in the same container.
    pytest.param("docker-chunk", marks=[pytest.mark.slow, pytest.mark.skipif(_docker_reason() is not None, reason=str(_docker_reason()))]),
]


def sandbox_isolates(sandbox: str) -> bool:
    """Whether workers of ``sandbox`` are kept away from the grader's files, /tmp and the network.

    The process sandbox never is: even as a dedicated uid, a worker can read world-readable
    files (a checkout's hidden tests), write /tmp and open sockets. bwrap and docker are.
    """
    return sandbox != "process"


def grader_environment(scratch: pathlib.Path) -> dict[str, str]:
    """The CLI's environment: a private TMPDIR (so leftovers are ours to see), a secret to leak, no plugin autoload."""
    env = dict(os.environ)
    env.update(TMPDIR=str(scratch), AG_ADVERSARIAL_SECRET=SECRET, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONPATH=str(REPO))
    return env


def processes_mentioning(text: str) -> list[str]:
    """Live processes whose command line, environment or working directory mention ``text``."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        if int(pid) == os.getpid():
            continue
        try:
            blobs = [pathlib.Path(f"/proc/{pid}/cmdline").read_bytes(), pathlib.Path(f"/proc/{pid}/environ").read_bytes(),
                     os.readlink(f"/proc/{pid}/cwd").encode()]
            state = pathlib.Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1]
        except OSError:
            continue
        if state != "Z" and any(text.encode() in blob for blob in blobs):
            found.append(f"{pid}: {blobs[0][:120]!r}")
    return found


class Batch:
    """One graded batch of every case: where its results are and what the CLI said."""

    def __init__(self, root: pathlib.Path, sandbox: str):
        self.root = root
        self.sandbox = sandbox
        self.out = root / "out"
        self.scratch = root / "tmp"
        self.scratch.mkdir(parents=True)
        base = write_course(root / "course")
        if sandbox in ("docker", "docker-chunk"):
            from autograder.image import build_image
            from autograder.spec import load_spec

            build_image(load_spec(base / "solutions" / "hx"), base=BASE_IMAGE, quiet=True)
        submissions = root / "submissions"
        submissions.mkdir()
        # Without isolation a worker can kill or rewrite the grader itself: those cases are not run (they xfail).
        self.skipped = {name for name, case in CASES.items() if case.get("isolation") and not sandbox_isolates(sandbox)}
        paths = [materialize(file_name, submissions) for file_name in sorted(CASES) if file_name not in self.skipped]
        self.started_at = time.time()
        started = time.monotonic()
        self.completed = subprocess.run(
            [sys.executable, "-m", "autograder.cli", "--base", str(base), "grade", "--assignment", "hx", "--sandbox", sandbox,
             "--jobs", "2", "--seed", "12345", "--quiet", "--out", str(self.out), *map(str, paths)],
            env=grader_environment(self.scratch), capture_output=True, text=True, timeout=1800, cwd=root, start_new_session=True,
        )
        self.seconds = time.monotonic() - started
        time.sleep(0.5)  # let killed processes be reaped before looking for leftovers
        self.leftover_processes = processes_mentioning(str(self.scratch))
        self.leftover_dirs = sorted(p.name for p in self.scratch.iterdir() if p.name.startswith(("ag-", "autograder-run-")))

    def result(self, file_name: str) -> tuple[dict, str]:
        folder = self.out / case_name(file_name)
        return json.loads((folder / "results.json").read_text()), (folder / "feedback.md").read_text()


_BATCHES: dict[str, Batch] = {}


@pytest.fixture(scope="module")
def batch_root(tmp_path_factory):
    return tmp_path_factory


@pytest.fixture
def batch(request, batch_root) -> Batch:
    sandbox = request.param
    if sandbox not in _BATCHES:
        _BATCHES[sandbox] = Batch(batch_root.mktemp(f"adversarial-{sandbox}"), sandbox)
    return _BATCHES[sandbox]


def _expected_scores(expected) -> dict[str, float]:
    if expected == "0":
        return {task: 0.0 for task in TASKS}
    if expected == "full":
        return dict(POINTS)
    return {task: float(expected[task]) for task in TASKS}


@pytest.mark.parametrize("batch", SANDBOXES, indirect=True)
def test_batch_completes_and_leaves_nothing_behind(batch):
    assert batch.completed.returncode == 0, batch.completed.stderr[-3000:]
    with open(batch.out / "grades.csv", encoding="utf-8", newline="") as handle:  # valid UTF-8 or this raises
        rows = list(csv.DictReader(handle))
    assert sorted(row["name"] for row in rows) == sorted(case_name(name) for name in CASES if name not in batch.skipped)
    assert not [row for row in rows if row["status"] == "grader_error"], "a hostile case caused a grader error"
    assert batch.leftover_processes == [], "processes left running"
    assert batch.leftover_dirs == [], "scratch directories left behind"
    for marker in MARKERS_OUTSIDE:
        assert not (os.path.exists(marker) and os.path.getmtime(marker) >= batch.started_at), f"a submission wrote {marker}"
    print(f"\n{len(CASES)} cases graded with the {batch.sandbox} sandbox in {batch.seconds:.0f} s")


@pytest.mark.parametrize("batch", SANDBOXES, indirect=True)
@pytest.mark.parametrize("file_name", sorted(CASES))
def test_case_outcome(batch, file_name):
    expected = CASES[file_name]
    if file_name in batch.skipped:
        pytest.xfail("the process sandbox does not hide the file system, /tmp or the network; use bwrap or docker")
    results, feedback = batch.result(file_name)
    status = results["extra_data"]["status"]
    assert status == expected["status"], f"status {status}: {results['output'][:500]}"
    scores = {test["tags"][0]: test["score"] for test in results["tests"]}
    assert scores == pytest.approx(_expected_scores(expected["scores"])), feedback[:3000]
    if "feedback" in expected:
        phrases = expected["feedback"] if isinstance(expected["feedback"], list) else [expected["feedback"]]
        assert any(phrase in feedback for phrase in phrases), feedback[:3000]
    if "absent" in expected:
        assert expected["absent"] not in feedback, feedback[:3000]
    assert SECRET not in feedback and SECRET not in json.dumps(results)
