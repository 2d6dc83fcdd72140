"""Where student code runs. Two small interfaces:

- a *launcher* starts one worker process, confined (``process``: rlimits and a
  dedicated uid; ``bwrap``: the same inside bubblewrap namespaces). The harness
  uses it.
- a *sandbox* runs the whole grading of one submission (harness and worker) and
  hands back the harness's outcomes file: ``process`` and ``bwrap`` run the
  harness as a local subprocess; ``docker`` runs it inside a container.
"""

from __future__ import annotations

from autograder.sandbox.process import ProcessLauncher, WorkerSetup

__all__ = ["LAUNCHERS", "ProcessLauncher", "SandboxUnavailable", "WorkerSetup", "make_launcher"]


class SandboxUnavailable(RuntimeError):
    """The requested sandbox cannot run on this machine; the message says what to install."""


LAUNCHERS = {"process": ProcessLauncher}


def make_launcher(name: str, setup: WorkerSetup):
    try:
        launcher_class = LAUNCHERS[name]
    except KeyError:
        raise SandboxUnavailable(f"unknown worker launcher '{name}'; known: {', '.join(sorted(LAUNCHERS))}") from None
    return launcher_class(setup)
