"""Harness side of the sandbox: start confined workers for one job slot.

A *launcher* belongs to one job slot of a harness. It keeps what the slot reuses (a
leased worker uid, a slot folder, a warm zygote that forks workers) and opens a
:class:`~autograder.launchers.process.WorkerSession` per submission: a fresh work
folder, workers started (and restarted) in it, everything they left removed when it
closes. One interface, three kinds:

- ``process``    plain processes with rlimits and a uid of their own (:mod:`.process`);
- ``bwrap``      the same inside bubblewrap namespaces (:mod:`.bwrap`);
- ``container``  the process launcher inside a grader image (:mod:`.container`);
- ``docker``     every worker in a fresh container of the grader image (:mod:`.docker`).

The host side, which runs whole harnesses, is :mod:`autograder.sandbox`.
"""

from __future__ import annotations

from autograder.errors import SandboxUnavailable
from autograder.launchers.bwrap import BwrapLauncher, bwrap_unavailable_reason
from autograder.launchers.container import ContainerLauncher
from autograder.launchers.docker import DockerLauncher
from autograder.launchers.process import ProcessLauncher, WorkerSession, WorkerSetup, worker_environment

__all__ = ["LAUNCHERS", "BwrapLauncher", "ContainerLauncher", "DockerLauncher", "ProcessLauncher", "WorkerSession", "WorkerSetup",
           "bwrap_unavailable_reason", "check_launcher", "make_launcher", "worker_environment"]

LAUNCHERS = {"process": ProcessLauncher, "bwrap": BwrapLauncher, "container": ContainerLauncher, "docker": DockerLauncher}


def check_launcher(name: str) -> None:
    """Raise :class:`SandboxUnavailable` (saying what to install) if ``name`` cannot run here."""
    if name not in LAUNCHERS:
        raise SandboxUnavailable(f"unknown worker launcher '{name}'; known: {', '.join(sorted(LAUNCHERS))}")
    check = getattr(LAUNCHERS[name], "check_available", None)
    if check:
        check()


def make_launcher(name: str, setup: WorkerSetup, **options) -> ProcessLauncher:
    check_launcher(name)
    return LAUNCHERS[name](setup, **options)
