"""The docker sandbox against the real engine: the probe assignment's image is built
offline, then a hostile submission is graded in containers.

Skipped (with the reason) where no Docker daemon answers or no base image is
present (no registry: run .ci/sandboxes.sh first).
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from autograder.grader_image import docker_unavailable_reason, image_tag
from autograder.sandbox.docker import DockerSandbox
from autograder.sandbox.docker_chunk import DockerChunkSandbox
from autograder.spec import load_spec
from test_sandbox_bwrap import grade, task_scores, write_probe_assignment

BASE_IMAGE = os.environ.get("AG_BASE_IMAGE", "autograder-base:bookworm")
REPO = pathlib.Path(__file__).resolve().parent.parent


def _base_image_missing() -> str | None:
    if docker_unavailable_reason():
        return docker_unavailable_reason()
    completed = subprocess.run(["docker", "image", "inspect", BASE_IMAGE], capture_output=True)
    return None if completed.returncode == 0 else f"base image {BASE_IMAGE} absent: run .ci/sandboxes.sh"


needs_docker = pytest.mark.skipif(_base_image_missing() is not None, reason=f"docker sandbox unavailable: {_base_image_missing()}")


def test_a_worker_container_has_every_confinement_flag(tmp_path, monkeypatch):
    """docker: each worker in a container of its own, with nothing of the hidden side in it."""
    from autograder.launchers import WorkerSetup
    from autograder.launchers.docker import DockerLauncher

    monkeypatch.setattr("autograder.grader_image.check_image", lambda *args: None)
    spec = load_spec(write_probe_assignment(tmp_path))
    launcher = DockerLauncher(WorkerSetup(spec, gpu=True), gpus="device=1")
    try:
        source = tmp_path / "src"
        source.mkdir()
        (source / "probe.py").write_text("x = 1\n")
        session = launcher.open(source)
        config = launcher.container_config(launcher.worker_config(session, 0))
        for spare in (False, True):
            command = launcher.docker_run_command(session.source_dir, "ag-w", config, spare=spare)
            text = " ".join(command)
            for flag in ("--network none", "--read-only", "--tmpfs /tmp:", "--cap-drop ALL", "--security-opt no-new-privileges",
                         "--pids-limit", "--cpus", "--user 62000:62000", "--gpus device=1", "-i", "--init",
                         f"{session.source_dir}:/submission:ro"):
                assert flag in text, flag
            assert command[command.index("--memory") + 1] == command[command.index("--memory-swap") + 1] == f"{spec.limits.memory_mb}m"
            assert "/opt/assignment" not in text and "--cap-add" not in text
            # A spare is not --rm (its state is asked after it ends) and carries the spare label, which the sweep leaves.
            assert ("--rm" in command) is not spare
            assert (launcher.spare_label in command, launcher.label in command) == (spare, not spare)
        session.close()
    finally:
        launcher.close()


def test_docker_run_has_every_confinement_flag(tmp_path):
    spec = load_spec(write_probe_assignment(tmp_path))
    mounts = [(tmp_path / "b", "/submission", "ro"), (tmp_path / "o", "/out", "rw")]
    command = DockerChunkSandbox().docker_run_command(spec, "ag-x", mounts, gpu=True, tests="hidden")
    text = " ".join(command)
    for flag in ("--network none", "--read-only", "--tmpfs /tmp:", "--cap-drop ALL", "--security-opt no-new-privileges",
                 "--pids-limit", "--cpus", "--log-opt max-size=", "--gpus all", "--name ag-x", "--rm", f"{tmp_path / 'b'}:/submission:ro"):
        assert flag in text, flag
    memory = command[command.index("--memory") + 1]
    assert command[command.index("--memory-swap") + 1] == memory  # no swap
    assert image_tag("probe", gpu=True) in command and command[-1] == "--gpu"


def test_the_harness_is_the_containers_main_process_and_does_not_watch_its_parent():
    """In a container the harness is the main process (attached with docker run -i): it ends at end of
    input, so it must not also tie its life to a parent process."""
    command = DockerChunkSandbox.harness_command(gpu=False, tests="hidden")
    assert "autograder.harness.server" in command and "--no-parent-watch" in command and "container" in command


def test_gpus_device_list_reaches_docker_run(tmp_path):
    """``grade --gpus device=1`` gives ``docker run --gpus device=1``; without --gpus no GPU flag at all."""
    from autograder.grading import GradeOptions

    spec = load_spec(write_probe_assignment(tmp_path))
    options = GradeOptions(gpu=True, gpu_devices="device=1")
    command = DockerChunkSandbox(gpus=options.gpu_devices).docker_run_command(spec, "ag-x", [], gpu=True, tests="hidden")
    assert command[command.index("--gpus") + 1] == "device=1"
    cpu_only = DockerChunkSandbox(gpus="device=1").docker_run_command(spec, "ag-x", [], gpu=False, tests="hidden")
    assert "--gpus" not in cpu_only


def _grade_probe_in_built_image(tmp_path: pathlib.Path, sandbox: str, monkeypatch) -> dict:
    """Build the probe assignment's image, then grade the probe submissions with ``sandbox``."""
    import shutil

    from autograder.image import build_image

    spec = load_spec(write_probe_assignment(tmp_path / sandbox))
    build_image(spec, base=BASE_IMAGE, quiet=True)
    # grade() writes the same assignment again under tmp_path/<sandbox>: same files, same image hash.
    shutil.rmtree(tmp_path / sandbox)
    return grade(tmp_path, sandbox, sandbox, monkeypatch)


@needs_docker
@pytest.mark.slow
def test_docker_confines_a_hostile_submission_and_removes_its_containers(tmp_path, monkeypatch):

    results = _grade_probe_in_built_image(tmp_path, "docker", monkeypatch)
    hostile = results["hostile"]
    assert hostile.status == "ok", hostile.message
    scores = task_scores(hostile)
    failures = {t.id: [o.message for o in t.tests if o.outcome != "passed"] for t in hostile.tasks if t.score != t.max_score}
    assert scores == {task: 1 for task in scores}, failures
    assert task_scores(results["wrong"])["correct"] == 0
    left = subprocess.run(["docker", "ps", "-aq", "--filter", "label=org.autograder.role=grading"], capture_output=True, text=True)
    assert left.stdout.strip() == "", "a grading container was left behind"
    workers = subprocess.run(["docker", "ps", "-aq", "--filter", "label=org.autograder.role=worker"], capture_output=True, text=True)
    assert workers.stdout.strip() == "", "a worker container (a spare, or a handed one) was left behind"


@needs_docker
def test_a_missing_image_is_a_grader_fault_naming_the_build_command(tmp_path):
    from autograder.errors import GraderFault

    root = write_probe_assignment(tmp_path)
    text = (root / "assignment.toml").read_text().replace('id = "probe"', 'id = "probe_no_image"')
    (root / "assignment.toml").write_text(text)
    spec = load_spec(root)
    with pytest.raises(GraderFault, match="autograder image build --assignment probe_no_image"):
        DockerSandbox().grade(spec, pathlib.Path(tmp_path), seed=1)


# ---------------------------------------------------------------- docker-chunk: one container per job slot

TRACES_TOML = """
id = "traces"
module = "traces"
forbidden_imports = ["torch"]

[limits]
call_timeout_s = 20

[[tasks]]
id = "isolated"
points = 1
functions = ["leave_traces", "find_traces"]
"""

TRACES_TESTS = '''
import pytest


@pytest.mark.task("isolated")
def test_leaves_traces_then_finds_none_of_the_others(submission):
    submission.leave_traces()
    assert submission.find_traces() == []
'''

# Each submission leaves a file in every writable place and a daemon process, then looks for
# what earlier submissions in the same container left, and for their code under /in.
TRACES = '''
import os
import sys
import time
import uuid

MINE = "ag-trace-" + uuid.uuid4().hex


def leave_traces():
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
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
    time.sleep(0.5)


def find_traces():
    found = []
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
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
    try:
        found += [f"/in/{name}" for name in os.listdir("/in")]
    except OSError:
        pass
    return found
'''


def _write_traces_assignment(base: pathlib.Path) -> pathlib.Path:
    root = base / "solutions" / "traces"
    (root / "tests" / "hidden").mkdir(parents=True)
    (root / "tests" / "public").mkdir(parents=True)
    (root / "assignment.toml").write_text(TRACES_TOML)
    (root / "traces.py").write_text(TRACES)
    (root / "tests" / "hidden" / "test_traces.py").write_text(TRACES_TESTS)
    (root / "tests" / "public" / "test_public.py").write_text(TRACES_TESTS)
    return root


def _grading_containers() -> list[str]:
    listed = subprocess.run(["docker", "ps", "-aq", "--filter", "label=org.autograder.role=grading"], capture_output=True, text=True)
    return listed.stdout.split()


@needs_docker
@pytest.mark.slow
def test_docker_chunk_reuses_a_container_but_not_what_a_submission_left(tmp_path):
    """Three submissions, one slot: one container grades all three, and none of them finds the
    files, processes or code of the ones before it; the container is gone after the batch."""
    from autograder.grading import GradeOptions, grade_batch
    from autograder.image import build_image
    from autograder.sandbox.docker_chunk import DockerChunkSandbox

    spec = load_spec(_write_traces_assignment(tmp_path))
    build_image(spec, base=BASE_IMAGE, quiet=True)
    paths = []
    for index in range(3):
        path = tmp_path / f"student{index}.py"
        path.write_text(TRACES)
        paths.append(path)
    sandbox = DockerChunkSandbox()
    started: list[str] = []
    original = sandbox._start_container

    def counting_start(*args, **kwargs):
        container = original(*args, **kwargs)
        started.append(container.name)
        return container

    sandbox._start_container = counting_start
    results = grade_batch(spec, paths, tmp_path / "out", GradeOptions(sandbox="docker-chunk", jobs=1, seed=3, progress=False, retries=0),
                          sandbox=sandbox)
    messages = {r.name: [o.message for t in r.tasks for o in t.tests if o.outcome != "passed"] for r in results}
    assert [r.score for r in results] == [1, 1, 1], messages
    assert len(started) == 1, f"one container for the chunk, not {len(started)}"
    assert _grading_containers() == [], "the chunk's container is removed after the batch"


@needs_docker
@pytest.mark.slow
def test_docker_chunk_scores_like_docker_and_confines_a_hostile_submission(tmp_path, monkeypatch):
    results = _grade_probe_in_built_image(tmp_path, "docker-chunk", monkeypatch)
    hostile = results["hostile"]
    assert hostile.status == "ok", hostile.message
    failures = {t.id: [o.message for o in t.tests if o.outcome != "passed"] for t in hostile.tasks if t.score != t.max_score}
    assert failures == {}
    assert task_scores(results["wrong"])["correct"] == 0
    assert _grading_containers() == []


@needs_docker
@pytest.mark.slow
def test_docker_chunk_containers_go_when_the_grader_is_killed(tmp_path):
    """SIGKILL cannot be handled, so the container's life hangs on a pipe from the grader."""
    import signal
    import time

    from autograder.image import build_image

    root = _write_traces_assignment(tmp_path / "course")
    spec = load_spec(root)
    build_image(spec, base=BASE_IMAGE, quiet=True)
    submission = tmp_path / "slow.py"
    submission.write_text(TRACES.replace("time.sleep(0.5)", "time.sleep(15)"))
    grader = subprocess.Popen([sys.executable, "-m", "autograder.cli", "--base", str(tmp_path / "course"), "grade", "--assignment", "traces",
                               "--sandbox", "docker-chunk", "--quiet", "--out", str(tmp_path / "out"), str(submission)],
                              env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not _grading_containers():
        time.sleep(0.2)
    assert _grading_containers(), "the grader started no container"
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _grading_containers():
        time.sleep(0.5)
    assert _grading_containers() == [], "the container outlived the grader"
