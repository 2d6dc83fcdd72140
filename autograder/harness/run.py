"""Harness entry point: grade one source bundle with an assignment's tests; write outcomes.

    python -m autograder.harness.run --assignment DIR --bundle DIR --outcomes FILE
                                     [--tests hidden|public] [--seed N] [--launcher process|bwrap] [--gpu] [--slot K]

Runs pytest in this (trusted) process with the autograder plugin; student code
runs only in the worker the plugin starts. Exit status 0 means the outcomes file
was written, whatever the scores.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

__all__ = ["harness_environment", "main", "pytest_args"]


def harness_environment() -> dict[str, str]:
    """The environment of a harness subprocess: ours, minus anything that changes how pytest runs.

    Installed pytest plugins are not auto-loaded (the plugin is loaded by name): they
    cost seconds per submission and have no business in grading.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return env


def pytest_args(tests_dir: pathlib.Path, *, submission: str, assignment: str, outcomes: str | None, mode: str,
                seed: int | None, hidden: bool, launcher: str = "process", gpu: bool = False, extra: list[str] | None = None) -> list[str]:
    """The pytest command line shared by grading, ``check`` and ``validate``."""
    args = [
        str(tests_dir),
        "-p", "autograder.harness.plugin",
        "-p", "no:cacheprovider",
        "-p", "no:randomly",
        "--import-mode=importlib",
        "--rootdir", str(tests_dir),
        "-c", os.devnull,  # never read a pytest.ini/conftest configuration from elsewhere
        "-q", "--no-header", "-rN", "--tb=no",
        "--ag-submission", submission,
        "--ag-assignment", assignment,
        "--ag-mode", mode,
        "--ag-launcher", launcher,
    ]
    if outcomes:
        args += ["--ag-outcomes", outcomes]
    if seed is not None:
        args += ["--ag-seed", str(seed)]
    if hidden:
        args.append("--ag-hidden")
    if gpu:
        args.append("--ag-gpu")
    return args + list(extra or [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--bundle", required=True)
    parser.add_argument("--outcomes", required=True)
    parser.add_argument("--tests", default="hidden", choices=("hidden", "public"))
    parser.add_argument("--seed", type=int)
    parser.add_argument("--launcher", default="process")
    parser.add_argument("--gpu", action="store_true")
    parser.add_argument("--slot", type=int, default=0)
    parser.add_argument("--no-parent-watch", action="store_true",
                        help="started by `docker exec`: the parent exits at once, and the container's life is tied to the grader instead")
    options = parser.parse_args(argv)
    if not options.no_parent_watch:
        _die_with_parent()
    _stop_on_sigterm()

    import pytest

    from autograder.spec import load_spec

    spec = load_spec(options.assignment)
    os.environ["AG_WORKER_SLOT"] = str(options.slot)
    args = pytest_args(
        spec.tests_dir(options.tests),
        submission=options.bundle,
        assignment=str(spec.root),
        outcomes=options.outcomes,
        mode="worker",
        seed=options.seed,
        hidden=options.tests == "hidden",
        launcher=options.launcher,
        gpu=options.gpu,
    )
    code = pytest.main(args)
    if not pathlib.Path(options.outcomes).is_file():
        print(f"harness: pytest ended ({code}) without writing outcomes", file=sys.stderr)
        return 3
    return 0


def _stop_on_sigterm() -> None:
    """SIGTERM (a cancelled batch) stops pytest like Ctrl-C: fixtures tear down, so the worker is stopped."""
    import signal

    signal.signal(signal.SIGTERM, signal.default_int_handler)


def _die_with_parent() -> None:
    """If the grader is killed (even with SIGKILL), this harness and its worker go too.

    Not for a harness started by ``docker exec``: its parent (runc) exits as soon as
    the process runs, and when that happens after this call the kernel sends the
    SIGKILL (an intermittent "exit 137" of docker-chunk, before this was known).
    """
    import ctypes
    import signal

    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the grader died before the call: the signal will never come
        os._exit(1)


if __name__ == "__main__":
    sys.exit(main())
