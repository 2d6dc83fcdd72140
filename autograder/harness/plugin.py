"""The pytest plugin that turns an assignment's tests into graded outcomes.

Loaded with ``-p autograder.harness.plugin``. It provides the fixtures test
authors use and records one outcome per test; only this plugin (in the trusted
harness process) writes outcomes.

Fixtures
--------
``submission``  the student's code: :class:`LocalSubmission` (``--ag-mode local``,
                in-process) or :class:`RemoteSubmission` (``--ag-mode worker``,
                a sandboxed worker process). Call functions as attributes.
``rng``         ``numpy.random.Generator`` seeded from the grading run's seed and
                the test's id: hidden inputs change per run, reproducibly.
``seed``        the grading run's seed (int).
``frozen``      :class:`FrozenValues` of the test module (public tests).

Markers
-------
``@pytest.mark.task("bn_forward")``  the task a test counts towards (required).
``@pytest.mark.gpu``                 needs CUDA; without one the test is reported
                                     as not run because of the grader, never passed.
"""

from __future__ import annotations

import json
import os
import pathlib
import time
import zlib

import numpy as np
import pytest

from autograder.harness.frozen import FrozenValues
from autograder.harness.local import LocalSubmission, load_module_from_file

OUTCOMES_KEY = pytest.StashKey[dict]()
COLLECT_ERRORS_KEY = pytest.StashKey[list]()
MESSAGE_LIMIT = 2000


def pytest_addoption(parser):
    group = parser.getgroup("autograder")
    group.addoption("--ag-submission", help="student module file (local mode) or source directory (worker mode)")
    group.addoption("--ag-module", help="module name the assignment expects (worker mode)")
    group.addoption("--ag-assignment", help="assignment directory holding assignment.toml")
    group.addoption("--ag-mode", default="local", choices=("local", "worker"))
    group.addoption("--ag-seed", type=int, default=None, help="seed of this grading run")
    group.addoption("--ag-outcomes", help="write per-test outcomes as JSON here")
    group.addoption("--ag-record", action="store_true", help="record frozen values instead of comparing")
    group.addoption("--ag-frozen-dir", help="directory for frozen values (default: expected/ next to each test)")
    group.addoption("--ag-hidden", action="store_true", help="these are hidden tests: feedback never shows test code or data")
    group.addoption("--ag-launcher", default="process", help="how the worker is confined: process or bwrap")
    group.addoption("--ag-gpu", action="store_true", help="a GPU was requested for this run")
    group.addoption("--ag-only-task", help="run only the tests of this task")


def pytest_configure(config):
    config.addinivalue_line("markers", "task(id): the graded task this test counts towards")
    config.addinivalue_line("markers", "gpu: needs a CUDA device")
    config.stash[OUTCOMES_KEY] = {}
    config.stash[COLLECT_ERRORS_KEY] = []
    config._ag_started = time.time()
    if config.getoption("--ag-seed") is None:
        config.option.ag_seed = int.from_bytes(os.urandom(4), "little")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def seed(request) -> int:
    return request.config.getoption("--ag-seed")


@pytest.fixture
def rng(request, seed) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(request.node.nodeid.encode())])


@pytest.fixture(scope="session")
def _ag_submission(request):
    config = request.config
    path = config.getoption("--ag-submission")
    if not path:
        raise pytest.UsageError("--ag-submission is required (the student's module file or source directory)")
    if config.getoption("--ag-mode") == "local":
        timeout, call_limits = _local_call_limits(config)
        if path.startswith("namespace:"):
            # A live notebook namespace registered by Notebook.check (autograder.notebook).
            from autograder.notebook import registered_namespace

            yield LocalSubmission(registered_namespace(path), timeout, call_limits)
            return
        yield LocalSubmission(load_module_from_file(path), timeout, call_limits)
        return
    from autograder.harness.remote import RemoteSubmission
    from autograder.spec import load_spec

    spec = load_spec(config.getoption("--ag-assignment"))
    remote = RemoteSubmission.start(
        source_dir=pathlib.Path(path),
        spec=spec,
        launcher=config.getoption("--ag-launcher"),
        gpu=config.getoption("--ag-gpu"),
        slot=int(os.environ.get("AG_WORKER_SLOT", "0")),
    )
    config._ag_remote = remote
    yield remote
    remote.close()


def _local_call_limits(config) -> tuple[float | None, dict[str, float]]:
    """The assignment's per-call limit and its per-function ``[call_limits]``, for in-process checks
    (None and {} without an assignment)."""
    assignment = config.getoption("--ag-assignment")
    if not assignment:
        return None, {}
    from autograder.spec import load_spec

    spec = load_spec(assignment)
    return spec.limits.call_timeout_s, dict(spec.call_limits)


@pytest.fixture
def submission(_ag_submission):
    yield _ag_submission
    _ag_submission.reset()


@pytest.fixture(scope="module")
def frozen(request):
    module_path = pathlib.Path(str(request.module.__file__))
    frozen_dir = request.config.getoption("--ag-frozen-dir")
    directory = pathlib.Path(frozen_dir) if frozen_dir else module_path.parent / "expected"
    store = FrozenValues(directory / f"{module_path.stem}.npz", recording=request.config.getoption("--ag-record"))
    yield store
    store.save()


# --------------------------------------------------------------------------- collection


def pytest_collection_modifyitems(session, config, items):
    only = config.getoption("--ag-only-task")
    if only:
        keep = [item for item in items if (item.get_closest_marker("task") or pytest.mark.task(None).mark).args[:1] == (only,)]
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep
    outcomes = config.stash[OUTCOMES_KEY]
    for item in items:
        marker = item.get_closest_marker("task")
        task = marker.args[0] if marker and marker.args else None
        outcomes[item.nodeid] = {
            "nodeid": item.nodeid,
            "name": item.name,
            "doc": _first_line(getattr(item.obj, "__doc__", None)) if hasattr(item, "obj") else "",
            "task": task,
            "gpu": item.get_closest_marker("gpu") is not None,
            "outcome": "not_run",
            "message": "",
            "duration": 0.0,
        }
        if item.get_closest_marker("gpu") and not _cuda_available():
            item.add_marker(pytest.mark.skip(reason="needs a GPU, and none is available to the grader"))


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


# --------------------------------------------------------------------------- outcomes


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report_outcome = yield
    report = report_outcome.get_result()
    outcomes = item.config.stash[OUTCOMES_KEY]
    record = outcomes.get(item.nodeid)
    if record is None:
        return
    record["duration"] += report.duration
    if report.when == "call" and report.passed:
        if record["outcome"] == "not_run":
            record["outcome"] = "passed"
    elif report.failed:
        from autograder.harness.remote import GraderFault

        if call.excinfo is not None and isinstance(call.excinfo.value, GraderFault):
            # The sandbox failed, not the student: the whole run becomes a grader error (retried).
            record["outcome"] = "grader_fault"
            record["message"] = str(call.excinfo.value)[:MESSAGE_LIMIT]
            return
        record["outcome"] = "failed"
        if not record["message"]:
            record["message"] = _failure_message(call, item.config.getoption("--ag-hidden"), report.when)
    elif report.skipped:
        reason = _skip_reason(report)
        if record["gpu"] and "GPU" in reason:
            record["outcome"] = "grader_skipped"
        else:
            # A skip requested by student code (pytest.skip, unittest.SkipTest) is a failure.
            record["outcome"] = "failed"
        record["message"] = reason


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _failure_message(call, hidden: bool, when: str) -> str:
    excinfo = call.excinfo
    if excinfo is None:
        return f"failed during {when}"
    value = excinfo.value
    from autograder.harness.remote import StudentCodeError

    if isinstance(value, StudentCodeError):
        text = str(value)
    elif isinstance(value, AssertionError):
        text = str(value).split("\nassert ")[0] if hidden else str(value)
        text = text or "assertion failed"
    elif hidden:
        # Never show the hidden test's own code or data: the error type and message only.
        text = f"{type(value).__name__}: {value}"
    else:
        text = excinfo.exconly()
    if len(text) > MESSAGE_LIMIT:
        text = text[:MESSAGE_LIMIT] + " ... (truncated)"
    return text


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        collector.config.stash[COLLECT_ERRORS_KEY].append(f"{report.nodeid}: {str(report.longrepr)[-MESSAGE_LIMIT:]}")


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    path = config.getoption("--ag-outcomes")
    if not path:
        return
    remote = getattr(config, "_ag_remote", None)
    payload = {
        "seed": config.getoption("--ag-seed"),
        "tests": list(config.stash[OUTCOMES_KEY].values()),
        "load_error": remote.load_error if remote else None,
        "output": remote.output_text() if remote else "",
        "output_truncated": remote.output_truncated if remote else False,
        "output_limit_kb": remote.output_limit_kb if remote else None,
        "worker_restarts": remote.restarts if remote else 0,
        "warnings": remote.warnings if remote else [],
        "duration": time.time() - config._ag_started,
        "collection_errors": config.stash.get(COLLECT_ERRORS_KEY, []),
    }
    tmp = pathlib.Path(path).with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    os.replace(tmp, path)
