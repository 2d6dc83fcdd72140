"""The warm harness (one per job slot, a forked child per submission) and the zygote's workers, for real.

What the speed must not cost: each submission still gets its own worker process, a fresh
work folder and ``/tmp``, nothing one leaves behind is visible to the next, a submission that
kills or wedges its worker costs only its own result, and a harness that breaks is a grader
fault (retried), never a zero. And what it buys: reference values computed once per batch.
"""

from __future__ import annotations

import os
import pathlib

import pytest

from autograder.grading import GradeOptions, grade_batch
from autograder.launchers.bwrap import bwrap_unavailable_reason
from autograder.spec import load_spec

SANDBOXES = ["process", pytest.param("bwrap", marks=pytest.mark.skipif(bwrap_unavailable_reason() is not None, reason=str(bwrap_unavailable_reason())))]

TOML = """
id = "traces"
module = "traces"
forbidden_imports = ["torch"]
student_packages = ["numpy"]

[limits]
call_timeout_s = 5
load_timeout_s = 20
total_timeout_s = 60

[[tasks]]
id = "isolated"
points = 1
functions = ["leave_traces", "find_traces"]

[[tasks]]
id = "value"
points = 1
functions = ["double"]
"""

# Each submission leaves a file in every writable place it can find, SysV shared memory and
# a daemon process, then looks for what the submissions before it left.
REFERENCE = '''
import os
import sys
import time
import uuid

MINE = "ag-trace-" + uuid.uuid4().hex


def leave_traces():
    for folder in ("/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~"), os.path.dirname(os.getcwd())):
        try:
            with open(os.path.join(folder, MINE), "w") as handle:
                handle.write("secret")
        except OSError:
            pass
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", MINE])
        os._exit(0)
    time.sleep(0.3)
    return os.getuid()


def find_traces():
    found = []
    for folder in ("/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~"), os.path.dirname(os.getcwd())):
        try:
            found += [f"{folder}/{name}" for name in os.listdir(folder) if name.startswith("ag-trace-") and name != MINE]
        except OSError:
            pass
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmdline = handle.read().decode(errors="replace")
        except OSError:
            continue
        if "ag-trace-" in cmdline and MINE not in cmdline and "find_traces" not in cmdline:
            found.append(f"process {pid}")
    return found


def double(x):
    return 2 * x
'''

TESTS = '''
import os
import pathlib

import numpy as np
import pytest

from autograder.testing import assert_close, oracle

COUNTER = pathlib.Path(os.environ["AG_TEST_ORACLE_COUNTER"])


@oracle
def expected_double(x):
    """The reference value; each computation is counted in a file (the harness is trusted)."""
    with open(COUNTER, "a") as handle:
        handle.write("x")
    return 2 * x


@pytest.mark.task("isolated")
def test_leaves_traces_then_finds_none_of_the_others(submission):
    submission.leave_traces()
    assert submission.find_traces() == []


@pytest.mark.task("value")
def test_double(submission, rng):
    x = rng.standard_normal(5)
    assert_close(submission.double(x), expected_double(x))
'''


def write_assignment(base: pathlib.Path) -> pathlib.Path:
    root = base / "solutions" / "traces"
    (root / "tests" / "hidden").mkdir(parents=True)
    (root / "tests" / "public").mkdir(parents=True)
    (root / "assignment.toml").write_text(TOML)
    (root / "traces.py").write_text(REFERENCE)
    (root / "tests" / "hidden" / "test_traces.py").write_text(TESTS)
    (root / "tests" / "public" / "test_public.py").write_text(TESTS)
    return root


def reference_copies(folder: pathlib.Path, count: int) -> list[pathlib.Path]:
    """``count`` submissions that are copies of the reference: student0.py, student1.py, ..."""
    paths = [folder / f"student{index}.py" for index in range(count)]
    for path in paths:
        path.write_text(REFERENCE)
    return paths


@pytest.fixture
def counter(tmp_path, monkeypatch) -> pathlib.Path:
    path = tmp_path / "oracle-calls"
    path.write_text("")
    monkeypatch.setenv("AG_TEST_ORACLE_COUNTER", str(path))
    return path


@pytest.mark.slow
@pytest.mark.parametrize("sandbox", SANDBOXES)
def test_one_warm_harness_grades_a_slot_and_nothing_a_submission_left_reaches_the_next(tmp_path, counter, sandbox):
    spec = load_spec(write_assignment(tmp_path))
    paths = reference_copies(tmp_path, 4)
    results = grade_batch(spec, paths, tmp_path / "out", GradeOptions(sandbox=sandbox, jobs=1, seed=3, progress=False, retries=0))
    messages = {r.name: [o.message for t in r.tasks for o in t.tests if o.outcome != "passed"] for r in results}
    assert [r.score for r in results] == [2, 2, 2, 2], messages
    assert {r.sandbox for r in results} == {sandbox}
    # The reference value was computed once for the batch (the warm-up), not once per submission.
    assert counter.read_text() == "x"
    leftovers = [p for p in pathlib.Path("/tmp").glob("ag-trace-*")] + [p for p in pathlib.Path("/dev/shm").glob("ag-trace-*")]
    if os.geteuid() == 0:
        assert leftovers == [], "files of a worker outlived its submission"


@pytest.mark.slow
def test_without_warm_up_each_submission_computes_its_references(tmp_path, counter):
    spec = load_spec(write_assignment(tmp_path))
    paths = reference_copies(tmp_path, 2)
    results = grade_batch(spec, paths, tmp_path / "out", GradeOptions(sandbox="process", jobs=1, seed=3, progress=False, warm=False))
    assert [r.score for r in results] == [2, 2]
    assert counter.read_text() == "xx"


BROKEN_HARNESS_TESTS = '''
import os
import pytest


@pytest.mark.task("isolated")
def test_the_harness_dies(submission):
    if submission.double(1) == 2:
        os._exit(9)  # the trusted side breaks: the grading child dies without writing outcomes


@pytest.mark.task("value")
def test_double(submission):
    assert submission.double(2) == 4
'''


@pytest.mark.slow
def test_a_harness_that_dies_is_a_grader_error_and_the_slot_grades_on(tmp_path, counter):
    root = write_assignment(tmp_path)
    (root / "tests" / "hidden" / "test_traces.py").write_text(BROKEN_HARNESS_TESTS)
    spec = load_spec(root)
    dies, lives = tmp_path / "dies.py", tmp_path / "lives.py"
    dies.write_text(REFERENCE)
    lives.write_text(REFERENCE.replace("return 2 * x", "return 3 * x"))
    options = GradeOptions(sandbox="process", jobs=1, seed=3, progress=False, retries=1, warm=False)
    results = grade_batch(spec, [dies, lives], tmp_path / "out", options)
    assert results[0].status == "grader_error" and results[0].attempts == 2 and "the harness failed (exit 9)" in results[0].message
    assert results[1].status == "ok" and results[1].score == 1  # graded normally after the fault: double() is wrong


@pytest.mark.slow
def test_a_reference_short_of_full_marks_is_reported_to_the_instructor(tmp_path, counter):
    root = write_assignment(tmp_path)
    (root / "traces.py").write_text(REFERENCE.replace("return 2 * x", "return 2 * x + 1"))
    spec = load_spec(root)
    paths = reference_copies(tmp_path, 2)
    results = grade_batch(spec, paths, tmp_path / "out", GradeOptions(sandbox="process", jobs=1, seed=3, progress=False, warm=True))
    assert all(r.score == 2 for r in results)
    assert any("the reference solution scored 1.0/2" in w for w in results[0].warnings), results[0].warnings


@pytest.mark.slow
def test_the_batch_starts_one_harness_per_slot_ahead_of_its_first_grading(tmp_path, counter, monkeypatch):
    from autograder.sandbox import harness_process

    started = []
    real_init = harness_process.HarnessProcess.__init__

    def counting_init(self, command, **options):
        started.append(options.get("wait", True))
        real_init(self, command, **options)

    monkeypatch.setattr(harness_process.HarnessProcess, "__init__", counting_init)
    spec = load_spec(write_assignment(tmp_path))
    paths = reference_copies(tmp_path, 4)
    results = grade_batch(spec, paths, tmp_path / "out", GradeOptions(sandbox="process", jobs=2, seed=3, progress=False, retries=0))
    # (Under `process`, two submissions graded at the same time can see each other's files in /var/tmp:
    # docs/sandboxes.md. Only the value task is asserted here.)
    assert [r.status for r in results] == ["ok"] * 4
    assert [next(t.score for t in r.tasks if t.id == "value") for r in results] == [1, 1, 1, 1]
    # Both slots' harnesses were started by prepare() (not waiting for ready), and none was started again.
    assert started == [False, False]


@pytest.mark.slow
@pytest.mark.parametrize("sandbox", SANDBOXES)
def test_the_oracle_memo_on_disk_spares_later_runs_the_reference_computations(tmp_path, counter, oracle_cache, sandbox):
    if sandbox == "process" and os.geteuid() != 0:
        pytest.skip("under `process` run as a normal user, workers share the grader's uid: no memo on disk")
    options = GradeOptions(sandbox=sandbox, jobs=1, seed=3, progress=False, retries=0)
    # One submission: the seed is new, so the reference is graded first and its values saved.
    results = grade_batch(load_spec(write_assignment(tmp_path / "first")), reference_copies(tmp_path, 1), tmp_path / "out1", options)
    assert [r.score for r in results] == [2] and counter.read_text() == "x"
    assert len(list(oracle_cache.glob("traces-*/seed-3.oracles"))) == 1
    # Another copy of the same assignment (another folder, the same files): nothing is computed.
    results = grade_batch(load_spec(write_assignment(tmp_path / "again")), reference_copies(tmp_path, 2), tmp_path / "out2", options)
    assert [r.score for r in results] == [2, 2] and counter.read_text() == "x"
    # Another seed is computed once; so is the same seed for changed tests (another version).
    results = grade_batch(load_spec(write_assignment(tmp_path / "seed4")), reference_copies(tmp_path, 1), tmp_path / "out3",
                          GradeOptions(sandbox=sandbox, jobs=1, seed=4, progress=False, retries=0))
    assert [r.score for r in results] == [2] and counter.read_text() == "xx"
    edited = write_assignment(tmp_path / "edited")
    (edited / "tests" / "hidden" / "test_traces.py").write_text(TESTS + "\n# edited\n")
    results = grade_batch(load_spec(edited), reference_copies(tmp_path, 1), tmp_path / "out4", options)
    assert [r.score for r in results] == [2] and counter.read_text() == "xxx"
    # A damaged file is a miss: computed again, the same grades.
    for path in oracle_cache.glob("traces-*/seed-3.oracles"):
        path.write_bytes(b"\x00" * 8 + b"not a frame")
    results = grade_batch(load_spec(write_assignment(tmp_path / "damaged")), reference_copies(tmp_path, 1), tmp_path / "out5", options)
    assert [r.score for r in results] == [2] and counter.read_text() == "xxxx"


def test_a_forked_harness_child_forks_its_worker_from_the_slots_zygote(tmp_path):
    """The child is not the zygote's parent (waitpid fails there); it must still see the zygote alive
    and use it, not start a zygote of its own per submission."""
    from autograder.launchers import WorkerSetup, make_launcher
    from autograder.launchers.worker_handle import process_is_running

    launcher = make_launcher("process", WorkerSetup(load_spec(write_assignment(tmp_path)), gpu=False, slot=0))
    try:
        launcher.warm_up()
        zygote = launcher.zygote()
        pid = os.fork()
        if pid == 0:
            os._exit(0 if zygote.alive and launcher.zygote() is zygote else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert process_is_running(zygote.process.pid)
    finally:
        launcher.close()
    assert not process_is_running(zygote.process.pid)


@pytest.mark.slow
def test_a_drawn_seed_leaves_no_oracle_memo_on_disk(tmp_path, counter, oracle_cache):
    """A seed drawn for one run will not come again: its values are neither read from nor written to disk."""
    if os.geteuid() != 0:
        pytest.skip("under `process` run as a normal user there is no memo on disk at all")
    options = GradeOptions(sandbox="process", jobs=1, seed=None, progress=False, retries=0, warm=True)
    results = grade_batch(load_spec(write_assignment(tmp_path)), reference_copies(tmp_path, 2), tmp_path / "out", options)
    assert [r.score for r in results] == [2, 2] and counter.read_text() == "x"  # warmed up in memory, once
    assert list(oracle_cache.rglob("*.oracles")) == []
