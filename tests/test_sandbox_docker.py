"""The docker sandbox against the real engine: the probe assignment's image is built
offline, then a hostile submission is graded in containers.

Skipped (with the reason) where no Docker daemon answers or no base image is
present (no registry: run .ci/sandboxes.sh first).
"""

from __future__ import annotations

import os
import pathlib
import subprocess

import pytest

from autograder.sandbox.docker import DockerSandbox, docker_unavailable_reason, image_tag
from autograder.spec import load_spec
from test_sandbox_bwrap import grade, task_scores, write_probe_assignment

BASE_IMAGE = os.environ.get("AG_BASE_IMAGE", "autograder-base:bookworm")


def _base_image_missing() -> str | None:
    if docker_unavailable_reason():
        return docker_unavailable_reason()
    completed = subprocess.run(["docker", "image", "inspect", BASE_IMAGE], capture_output=True)
    return None if completed.returncode == 0 else f"base image {BASE_IMAGE} absent: run .ci/sandboxes.sh"


needs_docker = pytest.mark.skipif(_base_image_missing() is not None, reason=f"docker sandbox unavailable: {_base_image_missing()}")


def test_docker_run_has_every_confinement_flag(tmp_path):
    spec = load_spec(write_probe_assignment(tmp_path))
    command = DockerSandbox().docker_run_command(spec, tmp_path / "b", tmp_path / "o", "ag-x", seed=1, gpu=True, tests="hidden")
    text = " ".join(command)
    for flag in ("--network none", "--read-only", "--tmpfs /tmp:", "--cap-drop ALL", "--security-opt no-new-privileges",
                 "--pids-limit", "--cpus", "--log-opt max-size=", "--gpus all", "--name ag-x", "--rm"):
        assert flag in text, flag
    memory = command[command.index("--memory") + 1]
    assert command[command.index("--memory-swap") + 1] == memory  # no swap
    assert image_tag("probe", gpu=True) in command and command[-1] == "--gpu"


def test_gpus_device_list_reaches_docker_run(tmp_path):
    """``grade --gpus device=1`` gives ``docker run --gpus device=1``; without --gpus no GPU flag at all."""
    from autograder.grading import GradeOptions

    spec = load_spec(write_probe_assignment(tmp_path))
    options = GradeOptions(gpu=True, gpu_devices="device=1")
    command = DockerSandbox(gpus=options.gpu_devices).docker_run_command(spec, tmp_path / "b", tmp_path / "o", "ag-x", seed=1, gpu=True, tests="hidden")
    assert command[command.index("--gpus") + 1] == "device=1"
    cpu_only = DockerSandbox(gpus="device=1").docker_run_command(spec, tmp_path / "b", tmp_path / "o", "ag-x", seed=1, gpu=False, tests="hidden")
    assert "--gpus" not in cpu_only


@needs_docker
@pytest.mark.slow
def test_docker_confines_a_hostile_submission_and_removes_its_containers(tmp_path, monkeypatch):
    from autograder.image import build_image

    spec = load_spec(write_probe_assignment(tmp_path / "docker"))
    build_image(spec, base=BASE_IMAGE, quiet=True)
    # grade() writes the same assignment again under tmp_path/docker: same files, same image hash.
    import shutil

    shutil.rmtree(tmp_path / "docker")
    results = grade(tmp_path, "docker", "docker", monkeypatch)
    hostile = results["hostile"]
    assert hostile.status == "ok", hostile.message
    scores = task_scores(hostile)
    failures = {t.id: [o.message for o in t.tests if o.outcome != "passed"] for t in hostile.tasks if t.score != t.max_score}
    assert scores == {task: 1 for task in scores}, failures
    assert task_scores(results["wrong"])["correct"] == 0
    left = subprocess.run(["docker", "ps", "-aq", "--filter", "label=org.autograder.role=grading"], capture_output=True, text=True)
    assert left.stdout.strip() == "", "a grading container was left behind"


@needs_docker
def test_a_missing_image_is_a_grader_fault_naming_the_build_command(tmp_path):
    from autograder.harness.remote import GraderFault

    root = write_probe_assignment(tmp_path)
    text = (root / "assignment.toml").read_text().replace('id = "probe"', 'id = "probe_no_image"')
    (root / "assignment.toml").write_text(text)
    spec = load_spec(root)
    with pytest.raises(GraderFault, match="autograder image build --assignment probe_no_image"):
        DockerSandbox().run(spec, pathlib.Path(tmp_path), seed=1)
