"""Host side of the sandbox: grade one submission's bundle in a harness the host starts, get its outcomes.

One interface (:class:`Sandbox`), one registry (:data:`SANDBOXES`, where the CLI's
``--sandbox`` choices come from), a fake for unit tests (:mod:`.fake`):

- ``process``       warm harnesses on this machine; workers with rlimits and a uid (:mod:`.local`);
- ``bwrap``         the same, workers inside bubblewrap namespaces (:mod:`.local`);
- ``docker``        a fresh container per submission (:mod:`.docker`);
- ``docker-chunk``  one container per job slot with a warm harness inside (:mod:`.docker_chunk`);
- ``auto``          ``bwrap`` where bubblewrap works, else ``process``.

The harness side, which starts confined workers, is :mod:`autograder.launchers`.
"""

from __future__ import annotations

import pathlib
from typing import Protocol

from autograder.errors import GradingCancelled, SandboxUnavailable
from autograder.outcomes import Outcomes
from autograder.spec import AssignmentSpec

__all__ = ["SANDBOXES", "GradingCancelled", "Sandbox", "SandboxUnavailable", "default_sandbox", "make_sandbox", "resolve_sandbox"]


class Sandbox(Protocol):
    """Grades whole submissions; thread-safe across job slots (one grading per slot at a time)."""

    name: str

    def check_available(self) -> None:
        """Raise :class:`SandboxUnavailable` (saying what to install) when it cannot run here."""

    def grade(self, spec: AssignmentSpec, bundle_dir: pathlib.Path, *, seed: int, slot: int = 0, gpu: bool = False,
              tests: str = "hidden", warm: bool = False, jobs: int = 1, owner: str | None = None,
              seed_fixed: bool = False) -> Outcomes:
        """Outcomes of grading ``bundle_dir`` (raises :class:`~autograder.errors.GraderFault` when grading broke down).

        ``warm``: the harness may grade the reference first for this seed (a batch: the
        oracle values are then computed once); ``jobs``: how many slots run side by side;
        ``owner``: who submitted it (JSON of :class:`autograder.owner.SubmissionOwner`), for the tests;
        ``seed_fixed``: the seed was chosen (not drawn for this run), so it will come again: the harness
        may read and keep its oracle values on disk (:mod:`autograder.testing.oracle_store`).
        """

    def cancel(self) -> None:
        """Stop what is running; running and later :meth:`grade` calls raise :class:`GradingCancelled`."""

    # Optional: ``prepare(spec, slots, *, gpu, tests, jobs)`` starts what the first ``slots`` job
    # slots need (their harnesses) in the background, so that it overlaps the batch's intake;
    # the batch calls it where a sandbox has it (:class:`.local.LocalSandbox`).

    def close(self) -> None:
        """Release what the sandbox keeps between submissions (harnesses, containers)."""


def _local(launcher: str, gpus: str):
    from autograder.sandbox.local import LocalSandbox

    return LocalSandbox(launcher)


def _docker(gpus: str):
    from autograder.sandbox.docker import DockerSandbox

    return DockerSandbox(gpus=gpus)


def _docker_chunk(gpus: str):
    from autograder.sandbox.docker_chunk import DockerChunkSandbox

    return DockerChunkSandbox(gpus=gpus)


SANDBOXES = {
    "process": lambda gpus: _local("process", gpus),
    "bwrap": lambda gpus: _local("bwrap", gpus),
    "docker": _docker,
    "docker-chunk": _docker_chunk,
}


def default_sandbox() -> str:
    """What ``auto`` means here: ``bwrap`` where bubblewrap works, else ``process``."""
    from autograder.launchers.bwrap import bwrap_unavailable_reason

    return "bwrap" if bwrap_unavailable_reason() is None else "process"


def resolve_sandbox(name: str) -> str:
    """``auto`` -> the sandbox it means here; any other known name -> itself."""
    if name == "auto":
        return default_sandbox()
    if name not in SANDBOXES:
        raise SandboxUnavailable(f"unknown sandbox '{name}'; known: auto, {', '.join(SANDBOXES)}")
    return name


def make_sandbox(name: str, *, gpus: str = "all") -> Sandbox:
    """The sandbox called ``name`` (``auto`` resolved), checked to work here.

    ``gpus``: what ``docker run --gpus`` gets when GPU tests are asked for (``all`` or a device list).
    """
    sandbox = SANDBOXES[resolve_sandbox(name)](gpus)
    sandbox.check_available()
    return sandbox
