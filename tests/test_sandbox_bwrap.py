"""The bwrap sandbox, for real: real bubblewrap, real workers, a probe assignment whose
hidden tests pass only when the confinement holds.

Skipped (with the reason) only where bubblewrap cannot run. The probe
assignment is shared with tests/test_sandbox_docker.py.
"""

from __future__ import annotations

import pathlib
import textwrap

import pytest

from autograder.grading import GradeOptions, grade_batch
from autograder.sandbox import SandboxUnavailable, make_sandbox
from autograder.launchers.bwrap import bwrap_unavailable_reason
from autograder.spec import load_spec

PROBE_TOML = """
id = "probe"
title = "Sandbox probe"
module = "probe"
forbidden_imports = ["torch"]

[limits]
call_timeout_s = 3
load_timeout_s = 30
total_timeout_s = 120
memory_mb = 1024
max_processes = 32

[[tasks]]
id = "correct"
points = 1
functions = ["double"]

[[tasks]]
id = "network"
points = 1
functions = ["try_network"]

[[tasks]]
id = "write"
points = 1
functions = ["try_write"]

[[tasks]]
id = "read"
points = 1
functions = ["try_read"]

[[tasks]]
id = "memory"
points = 1
functions = ["hog_memory"]

[[tasks]]
id = "processes"
points = 1
functions = ["fork_many"]

[[tasks]]
id = "time"
points = 1
functions = ["spin"]

[[tasks]]
id = "forbidden"
points = 1
functions = ["import_torch"]
"""

# Hidden tests: each passes only when the sandbox holds (or the student code is right).
PROBE_TESTS = '''
import os
import pathlib

import numpy as np
import pytest

from autograder.testing import assert_close

HERE = pathlib.Path(__file__).resolve()
SECRETS = [str(HERE), str(HERE.parents[2] / "probe.py"), str(HERE.parents[2] / "assignment.toml")]


@pytest.mark.task("correct")
def test_double(submission, rng):
    x = rng.normal(size=(4, 3))
    assert_close(submission.double(x), 2 * x)


@pytest.mark.task("network")
def test_no_network(submission):
    assert submission.try_network() == []


@pytest.mark.task("write")
def test_no_write_outside_workdir(submission):
    targets = ["/ag_probe", "/etc/ag_probe", "/usr/ag_probe", os.environ.get("AG_PROBE_HOST_DIR", "/var/tmp") + "/ag_probe",
               str(HERE.parent / "ag_probe")]
    assert submission.try_write(targets) == []


@pytest.mark.task("read")
def test_no_hidden_tests_or_reference(submission):
    assert submission.try_read(SECRETS) == []


@pytest.mark.task("memory")
def test_memory_limit(submission):
    with pytest.raises(Exception) as info:
        submission.hog_memory(8 << 30)
    assert "memory" in str(info.value).lower() or "killed" in str(info.value).lower()
    assert_close(submission.double(np.ones(2)), np.full(2, 2.0))  # a fresh worker carries on


@pytest.mark.task("processes")
def test_process_limit(submission):
    started = submission.fork_many(500)
    assert started < 200


@pytest.mark.task("time")
def test_time_limit(submission):
    with pytest.raises(Exception, match="timed out"):
        submission.spin()


@pytest.mark.task("forbidden")
def test_torch_not_importable(submission):
    with pytest.raises(Exception, match="ImportError|ModuleNotFoundError|forbidden"):
        submission.import_torch()
'''

REFERENCE = '''
import numpy as np


def double(x):
    """x: any shape -> 2x."""
    # BEGIN SOLUTION
    return 2 * x
    # END SOLUTION
'''

# A hostile submission that tries every escape; it earns full marks only if all of them fail.
HOSTILE = '''
import os
import socket
import time

import numpy as np


def double(x):
    return 2 * x


def try_network():
    reached = []
    for host, port in (("1.1.1.1", 53), ("169.254.169.254", 80), ("8.8.8.8", 443)):
        try:
            socket.create_connection((host, port), timeout=2).close()
            reached.append(host)
        except OSError:
            pass
    return reached


def try_write(paths):
    written = []
    for path in paths:
        try:
            with open(path, "w") as handle:
                handle.write("pwned")
            written.append(path)
        except OSError:
            pass
    return written


def try_read(paths):
    found = []
    for path in paths:
        try:
            with open(path) as handle:
                handle.read(10)
            found.append(path)
        except OSError:
            pass
    return found


def hog_memory(size):
    block = bytearray(size)
    for index in range(0, size, 4096):
        block[index] = 1
    return "allocated"


def fork_many(count):
    started = 0
    for _ in range(count):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        started += 1
    return started


def spin():
    while True:
        pass


def import_torch():
    import importlib
    return str(importlib.import_module("torch"))
'''

WRONG = '''
def double(x):
    return 3 * x
'''


def write_probe_assignment(base: pathlib.Path) -> pathlib.Path:
    """``base/solutions/probe``: the probe assignment; returns its root."""
    root = base / "solutions" / "probe"
    (root / "tests" / "hidden").mkdir(parents=True)
    (root / "tests" / "public").mkdir(parents=True)
    (root / "assignment.toml").write_text(PROBE_TOML)
    (root / "probe.py").write_text(REFERENCE)
    (root / "tests" / "hidden" / "test_probe.py").write_text(PROBE_TESTS)
    (root / "tests" / "public" / "test_public.py").write_text(textwrap.dedent('''
        import pytest
        pytestmark = pytest.mark.task("correct")
        def test_nothing():
            pass
    '''))
    return root


def write_submissions(folder: pathlib.Path) -> list[pathlib.Path]:
    folder.mkdir(parents=True, exist_ok=True)
    hostile = folder / "hostile.py"
    hostile.write_text(HOSTILE)
    wrong = folder / "wrong.py"
    wrong.write_text(WRONG)
    return [hostile, wrong]


def grade(tmp_path: pathlib.Path, sandbox: str, name: str, monkeypatch) -> dict[str, object]:
    """Grade the probe submissions with ``sandbox``; ``{submission: result}``."""
    spec = load_spec(write_probe_assignment(tmp_path / name))
    host_dir = tmp_path / f"host-{name}"
    host_dir.mkdir(mode=0o777)
    host_dir.chmod(0o777)
    monkeypatch.setenv("AG_PROBE_HOST_DIR", str(host_dir))
    paths = write_submissions(tmp_path / f"subs-{name}")
    results = grade_batch(spec, paths, tmp_path / f"out-{name}", GradeOptions(sandbox=sandbox, seed=7, progress=False, retries=0),
                          sandbox=make_sandbox(sandbox))
    if sandbox != "process":  # the process sandbox does not hide the file system
        assert not list(host_dir.iterdir()), "the submission wrote into a host directory"
    return {result.name: result for result in results}


def task_scores(result) -> dict[str, float]:
    return {task.id: task.score for task in result.tasks}


needs_bwrap = pytest.mark.skipif(bwrap_unavailable_reason() is not None, reason=f"bwrap sandbox unavailable: {bwrap_unavailable_reason()}")


@needs_bwrap
@pytest.mark.slow
def test_bwrap_confines_a_hostile_submission_and_scores_like_process(tmp_path, monkeypatch):
    bwrap = grade(tmp_path, "bwrap", "bwrap", monkeypatch)
    hostile = bwrap["hostile"]
    assert hostile.status == "ok", hostile.message
    scores = task_scores(hostile)
    assert scores == {task: 1 for task in scores}, [(t.id, t.score, [o.message for o in t.tests if not o.passed] if hasattr(t, "tests") else "") for t in hostile.tasks]
    assert task_scores(bwrap["wrong"])["correct"] == 0

    process = grade(tmp_path, "process", "process", monkeypatch)
    # Same scores wherever the process sandbox can hold too: it hides no files, shares the network and,
    # without a dedicated uid (root with an unreadable interpreter), counts every process against its limit.
    assert task_scores(process["wrong"]) == task_scores(bwrap["wrong"])
    for task in ("correct", "memory", "time", "forbidden"):
        assert task_scores(process["hostile"])[task] == task_scores(bwrap["hostile"])[task], task


@needs_bwrap
def test_bwrap_hides_the_repository_and_masks_torch(tmp_path):
    from autograder.launchers import BwrapLauncher, WorkerSetup

    spec = load_spec(write_probe_assignment(tmp_path))
    launcher = BwrapLauncher(WorkerSetup(spec))
    try:
        arguments = launcher.zygote_command({"control_fd": 3})
        bound = {arguments[i + 2] for i, arg in enumerate(arguments) if arg in ("--ro-bind", "--bind")}
        repository = pathlib.Path(__file__).resolve().parent.parent
        assert str(repository / "solutions") not in bound and str(repository) not in bound
        assert "--unshare-net" in arguments or "--unshare-all" in arguments
        assert {str(launcher.slot_dir)} == {arguments[i + 2] for i, arg in enumerate(arguments) if arg == "--bind"}, "only the slot folder is writable"
    finally:
        launcher.close()


def test_unknown_or_missing_sandbox_says_what_to_install(monkeypatch):
    import autograder.launchers.bwrap as bwrap_module

    monkeypatch.setenv("PATH", "/nonexistent")
    bwrap_module.bwrap_unavailable_reason.cache_clear()
    try:
        with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
            make_sandbox("bwrap")
    finally:
        bwrap_module.bwrap_unavailable_reason.cache_clear()
