"""The grader image of an assignment, as the docker sandboxes meet it: its tag, its
content label, whether a Docker engine answers, and whether the image is current.

Used by ``autograder image build`` (:mod:`autograder.image`, which labels the image),
by the ``docker`` sandbox's launcher (:mod:`autograder.launchers.docker`, a container
per worker) and by ``docker-chunk`` (:mod:`autograder.sandbox.docker_chunk`). An image
built from other files than the assignment and the grader have now is refused with a
grader fault that names the rebuild command.
"""

from __future__ import annotations

import functools
import hashlib
import pathlib
import shutil
import subprocess

from autograder.errors import GraderFault
from autograder.spec import AssignmentSpec, source_hash

__all__ = ["HASH_LABEL", "INSTALL_HINT", "check_image", "docker_unavailable_reason", "image_content_hash", "image_tag"]

INSTALL_HINT = ("install Docker and start its daemon (Debian/Ubuntu: `apt-get install docker.io` then `dockerd &` or "
                "`systemctl start docker`), then build the grader image: `autograder image build --assignment ID`; "
                "see docs/sandboxes.md")
HASH_LABEL = "org.autograder.source-hash"


def image_content_hash(spec: AssignmentSpec) -> str:
    """What a grader image is built from: the assignment's files and the grader's own package.

    Labelled on the image at build time; grading with an image whose label differs (older
    tests, or an older harness) is a grader fault asking for a rebuild.
    """
    package = pathlib.Path(__file__).resolve().parent
    return hashlib.sha256(f"{source_hash(spec.root)}:{source_hash(package)}".encode()).hexdigest()


def image_tag(assignment_id: str, gpu: bool = False) -> str:
    """The grader image of an assignment: ``autograder-grader-ID[-cuda]:latest``."""
    return f"autograder-grader-{assignment_id.lower()}{'-cuda' if gpu else ''}:latest"


@functools.lru_cache(maxsize=None)
def docker_unavailable_reason() -> str | None:
    """``None`` when a Docker daemon answers, else what is wrong and what to install."""
    if shutil.which("docker") is None:
        return f"the docker sandbox needs the docker client, which is not installed: {INSTALL_HINT}"
    try:
        completed = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"], stdin=subprocess.DEVNULL,
                                   capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the docker daemon does not answer ({exc}): {INSTALL_HINT}"
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return f"the docker daemon does not answer ({detail[0][:200]}): {INSTALL_HINT}"
    return None


_checked_images: dict[tuple[str, str], str] = {}


def check_image(spec: AssignmentSpec, tag: str, docker: str = "docker") -> None:
    """Raise :class:`GraderFault` unless ``tag`` exists and was built from the assignment and grader as they are now."""
    key = (docker, tag)
    if key not in _checked_images:
        completed = subprocess.run([docker, "image", "inspect", "--format", f'{{{{index .Config.Labels "{HASH_LABEL}"}}}}', tag],
                                   stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        if completed.returncode != 0:
            raise GraderFault(f"no grader image {tag}: build it with `autograder image build --assignment {spec.id}`")
        _checked_images[key] = completed.stdout.decode().strip()
    if _checked_images[key] != image_content_hash(spec):
        raise GraderFault(f"the grader image {tag} was built from other files than the assignment and the grader now have: "
                          f"rebuild it with `autograder image build --assignment {spec.id}`")
