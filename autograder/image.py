"""``autograder image build``: the grader image of one assignment, built offline.

    autograder image build --assignment ID [--gpu] [--base IMAGE] [--tag TAG]

1. a wheelhouse is collected on the host (``pip download``, cached in
   ``$AG_WHEELHOUSE`` or ``~/.cache/autograder/wheels[-cuda]``);
2. a build context is assembled: ``docker/Dockerfile``, the wheels with the
   harness's and the worker's requirement lists, the ``autograder`` package and
   ``solutions/<id>``;
3. ``docker build --network none`` installs everything with ``--no-index``.
   The image is labelled with :func:`autograder.grader_image.image_content_hash`
   (the assignment's files and the grader's package), so the docker sandboxes refuse
   an image older than either.
"""

from __future__ import annotations

import importlib.metadata
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

from autograder.errors import ImageBuildError
from autograder.grader_image import HASH_LABEL, image_content_hash, image_tag
from autograder.spec import AssignmentSpec
from autograder.student_imports import distribution_of

__all__ = ["DEFAULT_BASE", "DEFAULT_GPU_BASE", "build_image", "collect_wheelhouse", "harness_requirements"]

DEFAULT_BASE = "python:3.11-slim"
DEFAULT_GPU_BASE = "nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04"
DOCKERFILE = pathlib.Path(__file__).resolve().parent.parent / "docker" / "Dockerfile"


def harness_requirements() -> list[str]:
    """What the harness needs: numpy, pytest and the oracles (torch pinned to the host's version, scikit-learn)."""
    return [_pinned_to_host("numpy"), "pytest", _pinned_to_host("torch"), "scikit-learn"]


def _pinned_to_host(package: str) -> str:
    """``numpy`` -> ``numpy==<the host's version>`` (so process and docker grade with the same numerics)."""
    try:
        return f"{package}=={importlib.metadata.version(package).split('+')[0]}"
    except importlib.metadata.PackageNotFoundError:
        return package


def worker_requirements(spec: AssignmentSpec) -> list[str]:
    """What the worker venv installs: the assignment's ``student_packages`` (numpy at least), as distributions (``sklearn`` -> ``scikit-learn``) pinned to the host's versions."""
    packages = list(spec.student_packages or ()) or ["numpy"]
    if "numpy" not in packages:
        packages.insert(0, "numpy")  # the worker itself needs it
    return [_pinned_to_host(distribution_of(package)) for package in packages]


def collect_wheelhouse(directory: pathlib.Path, requirements: list[str], extra_pip_args: list[str] | None = None) -> None:
    """``pip download`` ``requirements`` (and their dependencies) into ``directory``; cached by requirement list."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = directory / ".requirements"
    wanted = "\n".join(requirements + (extra_pip_args or [])) + "\n"
    if stamp.is_file() and stamp.read_text() == wanted:
        return
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary", ":all:", "-d", str(directory),
               *(extra_pip_args or []), *requirements]
    completed = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if completed.returncode != 0:
        raise ImageBuildError(f"pip download failed:\n{completed.stderr[-2000:]}")
    stamp.write_text(wanted)


def _link_or_copy(source: pathlib.Path, target: pathlib.Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def assemble_context(spec: AssignmentSpec, wheelhouse: pathlib.Path, context: pathlib.Path, requirements: list[str],
                     worker: list[str]) -> None:
    """The docker build context (see ``docker/Dockerfile``)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
    shutil.copy2(DOCKERFILE, context / "Dockerfile")
    wheels = context / "wheels"
    wheels.mkdir()
    for wheel in sorted(wheelhouse.glob("*.whl")):
        _link_or_copy(wheel, wheels / wheel.name)
    (wheels / "harness.txt").write_text("\n".join(requirements) + "\n")
    (wheels / "worker.txt").write_text("\n".join(worker) + "\n")
    shutil.copytree(pathlib.Path(__file__).resolve().parent, context / "autograder", ignore=ignore)
    shutil.copytree(spec.root, context / "assignment", ignore=ignore)


def build_image(spec: AssignmentSpec, *, gpu: bool = False, base: str | None = None, tag: str | None = None,
                wheelhouse: pathlib.Path | None = None, torch_index_url: str | None = None, quiet: bool = False) -> str:
    """Build the grader image of ``spec``; returns its tag."""
    from autograder.grader_image import docker_unavailable_reason

    reason = docker_unavailable_reason()
    if reason:
        raise ImageBuildError(reason)
    tag = tag or image_tag(spec.id, gpu)
    base = base or (DEFAULT_GPU_BASE if gpu else DEFAULT_BASE)
    cache = pathlib.Path(os.environ.get("AG_CACHE", pathlib.Path.home() / ".cache" / "autograder"))
    wheelhouse = wheelhouse or pathlib.Path(os.environ.get("AG_WHEELHOUSE", cache / ("wheels-cuda" if gpu else "wheels")))
    requirements = harness_requirements()
    worker = worker_requirements(spec)
    extra = ["--extra-index-url", torch_index_url] if torch_index_url else []
    collect_wheelhouse(wheelhouse, sorted(set(requirements + worker)), extra)
    with tempfile.TemporaryDirectory(prefix="ag-image-", dir=wheelhouse.parent) as scratch:
        context = pathlib.Path(scratch)
        assemble_context(spec, wheelhouse, context, requirements, worker)
        command = ["docker", "build", "--network", "none", "--build-arg", f"BASE={base}",
                   "--label", f"{HASH_LABEL}={image_content_hash(spec)}", "--label", f"org.autograder.assignment={spec.id}",
                   "-t", tag, str(context)]
        if quiet:
            command.insert(2, "--quiet")
        completed = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=quiet, text=True)
        if completed.returncode != 0:
            detail = (completed.stderr or completed.stdout or "")[-2000:] if quiet else "see the output above"
            raise ImageBuildError(f"docker build of {tag} failed: {detail}")
    return tag
