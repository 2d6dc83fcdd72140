"""Grading one submission outside a batch, where a platform runs the grader per student
(Gradescope's ``run_autograder``, a GitHub Actions job).

The same steps as ``autograder grade`` for one file (intake, harness, worker, retries
of grader faults), with the sandbox chosen and *said*: a platform's log is the only
place an instructor sees which confinement student code had.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable

from autograder.outcomes import SubmissionResult
from autograder.spec import AssignmentSpec

__all__ = ["choose_sandbox", "grade_submission"]


def choose_sandbox(requested: str, say: Callable[[str], None] = print) -> str:
    """``auto`` -> ``bwrap`` where bubblewrap works here, else ``process``; says which and why."""
    from autograder.sandbox import default_sandbox
    from autograder.launchers.bwrap import bwrap_unavailable_reason

    name = default_sandbox() if requested == "auto" else requested
    if name == "bwrap":
        say("sandbox: bwrap (student code in bubblewrap namespaces: no network, hidden tests absent, read-only system)")
    else:
        reason = bwrap_unavailable_reason() if requested == "auto" else "asked for"
        say(f"sandbox: {name} (rlimits, clean environment, student code as an unprivileged uid when run as root; "
            f"bwrap not used: {reason})")
    return name


def grade_submission(spec: AssignmentSpec, path: pathlib.Path, name: str, sandbox_name: str, seed: int | None = None,
                     retries: int = 2, owner=None) -> SubmissionResult:
    """Grade ``path`` (file or folder) with the hidden tests of ``spec``; never raises for the submission's faults.

    ``owner``: who submitted it (:class:`autograder.owner.SubmissionOwner`), passed to the tests.
    """
    from autograder import grading
    from autograder.sandbox import make_sandbox
    from autograder.spec import assignment_version

    options = grading.GradeOptions(sandbox=sandbox_name, seed=seed, retries=retries, progress=False)
    options.resolved_seed()
    sandbox = make_sandbox(sandbox_name)
    path = pathlib.Path(path)
    try:
        result = grading.grade_submission(spec, grading.Submission(path, name, grading.submission_hash(path), owner), sandbox, options)
    finally:
        sandbox.close()
    result.assignment_version = assignment_version(spec)
    return result
