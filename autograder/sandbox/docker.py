"""The ``docker`` sandbox: a fresh container of the grader image for every submission's worker.

The warm harness runs on the host, one per job slot, exactly as for ``process`` and
``bwrap`` (:mod:`.local`); its launcher is :mod:`autograder.launchers.docker`, which
starts every worker in a container of its own, removed when the worker ends. So the
student's code never shares a container with another submission. The tests and the
reference run with the harness on the host; the image holds the assignment's folder too
(``/opt/assignment``, for ``docker-chunk``), root-only, and the worker is uid 62000 with
no capabilities. :mod:`.docker_chunk` instead keeps one container per job slot with the
harness inside. What both share (the image's name, its content label, the check that it
is current) is :mod:`autograder.grader_image`.

The flags of each kind of container are in :mod:`autograder.launchers.docker` (a
worker's: ``--cap-drop ALL``, uid 62000) and :mod:`.docker_chunk` (a harness's: root
with only the capabilities it needs to start, confine and kill its workers). Both use
``--network none``, a ``--read-only`` root, a size-capped tmpfs ``/tmp``, ``--memory`` =
``--memory-swap``, ``--pids-limit``, ``--cpus``, ``no-new-privileges``, and ``--gpus``
when asked; every container has a name or label and is removed whatever happens
(timeouts, Ctrl-C).
"""

from __future__ import annotations

from autograder.errors import SandboxUnavailable
from autograder.grader_image import docker_unavailable_reason
from autograder.sandbox.local import LocalSandbox

__all__ = ["DockerSandbox"]

class DockerSandbox(LocalSandbox):
    """Warm harnesses on the host; every worker in a fresh container (:mod:`autograder.launchers.docker`)."""

    def __init__(self, *, gpus: str = "all"):
        super().__init__("docker", launcher_options={"gpus": gpus})
        self.name = "docker"

    def check_available(self) -> None:
        reason = docker_unavailable_reason()
        if reason:
            raise SandboxUnavailable(reason)
