"""Where student code runs. Two small interfaces:

- a *launcher* starts one worker process, confined (``process``: rlimits and a
  dedicated uid; ``bwrap``: the same inside bubblewrap namespaces). The harness
  uses it.
- a *sandbox* runs the whole grading of one submission (harness and worker) and
  hands back the harness's outcomes file: ``process`` and ``bwrap`` run the
  harness as a local subprocess; ``docker`` runs it inside a container.
"""

from __future__ import annotations

from autograder.sandbox.bwrap import BwrapLauncher
from autograder.sandbox.docker import ContainerWorkerLauncher
from autograder.sandbox.process import ProcessLauncher, WorkerSetup

__all__ = ["LAUNCHERS", "SANDBOXES", "BwrapLauncher", "ContainerWorkerLauncher", "GradingCancelled", "ProcessLauncher", "SandboxUnavailable", "WorkerSetup", "check_launcher", "default_sandbox", "make_launcher", "make_sandbox"]


class SandboxUnavailable(RuntimeError):
    """The requested sandbox cannot run on this machine; the message says what to install."""


class GradingCancelled(BaseException):
    """The batch is being stopped (Ctrl-C, SIGTERM): a sandbox's ``cancel()`` ended this grading.

    A ``BaseException`` so that the catch-alls that turn grader faults into results do
    not record it: a cancelled submission gets no result and is graded by ``--resume``.
    """


# "container" is the launcher the harness uses inside the docker image (worker venv without torch).
LAUNCHERS = {"process": ProcessLauncher, "bwrap": BwrapLauncher, "container": ContainerWorkerLauncher}


def make_launcher(name: str, setup: WorkerSetup):
    try:
        launcher_class = LAUNCHERS[name]
    except KeyError:
        raise SandboxUnavailable(f"unknown worker launcher '{name}'; known: {', '.join(sorted(LAUNCHERS))}") from None
    return launcher_class(setup)


def check_launcher(name: str) -> None:
    """Raise :class:`SandboxUnavailable` (saying what to install) if ``name`` cannot run here."""
    if name not in LAUNCHERS:
        raise SandboxUnavailable(f"unknown worker launcher '{name}'; known: {', '.join(sorted(LAUNCHERS))}")
    check = getattr(LAUNCHERS[name], "check_available", None)
    if check:
        check()


SANDBOXES = ("auto", "process", "bwrap", "docker", "docker-chunk")


def default_sandbox() -> str:
    """What ``auto`` means here: ``bwrap`` where bubblewrap works, else ``process``."""
    from autograder.sandbox.bwrap import bwrap_unavailable_reason

    return "bwrap" if bwrap_unavailable_reason() is None else "process"


def make_sandbox(name: str, *, gpus: str = "all"):
    """The sandbox that grades whole submissions: ``process``, ``bwrap``, ``docker`` (a container per
    submission) or ``docker-chunk`` (a container per job slot, reused for the slot's submissions).

    ``gpus``: what ``docker run --gpus`` gets when GPU tests are asked for (``all`` or a device list).
    """
    from autograder.sandbox.local_harness import LocalHarnessSandbox

    if name == "auto":
        name = default_sandbox()
    if name in ("docker", "docker-chunk"):
        from autograder.sandbox.docker import DockerSandbox
        from autograder.sandbox.docker_chunk import DockerChunkSandbox

        sandbox = DockerSandbox(gpus=gpus) if name == "docker" else DockerChunkSandbox(gpus=gpus)
        sandbox.check_available()
        return sandbox
    if name in LAUNCHERS and name != "container":
        sandbox = LocalHarnessSandbox(name)
        sandbox.check_available()
        return sandbox
    raise SandboxUnavailable(f"unknown sandbox '{name}'; known: {', '.join(SANDBOXES)}")
