"""The ``container`` launcher: the process launcher as the harness uses it inside a grader image.

The image (``docker/Dockerfile``) has two environments: the harness's (pytest,
torch, the oracles) and the worker's, ``$AG_WORKER_PYTHON``, holding only the
assignment's ``student_packages``. When the assignment restricts imports, the zygote
and so every worker run in the worker's environment, where a forbidden package is not
even installed. Workers run as uid 62000 + slot (``$AG_WORKER_UID_BASE``). A grading
container has no ``CAP_SYS_ADMIN``, so workers do not mount a private ``/tmp``: the
harness sweeps the uid's files between submissions instead.
"""

from __future__ import annotations

import os

from autograder.launchers.process import ProcessLauncher

__all__ = ["ContainerLauncher"]


class ContainerLauncher(ProcessLauncher):
    name = "container"

    def python(self) -> str:
        worker_python = os.environ.get("AG_WORKER_PYTHON")
        restricted = self.spec.forbidden_imports or self.spec.student_packages is not None
        if restricted and worker_python and os.path.exists(worker_python):
            return worker_python
        return super().python()

    @property
    def private_tmp(self) -> bool:
        return False
