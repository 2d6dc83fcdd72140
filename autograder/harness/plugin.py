"""The pytest plugin that turns an assignment's tests into graded outcomes.

Loaded by :mod:`autograder.harness.runner` (``-p autograder.harness.plugin``), which
collects an assignment's tests once and runs them against one submission at a time.
Only this plugin, in the trusted harness process, records outcomes.

The state of one grading run (which submission, the seed, the outcomes so far) is
one :class:`GradingRun` object, set by the runner in ``config.stash[RUN]`` before
the tests run; nothing else carries state between the runner and the tests.

Fixtures
--------
``submission``  the student's code (:class:`~autograder.harness.local.LocalSubmission`
                in-process, :class:`~autograder.harness.remote.RemoteSubmission` in a
                sandboxed worker). Call functions as attributes.
``rng``         ``numpy.random.Generator`` seeded from the run's seed and the test's
                id: hidden inputs change per run, reproducibly.
``seed``        the run's seed (int).
``owner``       the student this run grades (:mod:`autograder.owner`), None when unknown.
``device``      ``"cuda"`` when the run grades on a GPU, else ``"cpu"``.
``frozen``      :class:`~autograder.harness.frozen.FrozenValues` of the test module (public tests).

What a test records with pytest's ``record_property(name, value)`` lands in its
outcome's ``data`` (for instructors' statistics, never in student feedback).

Markers
-------
``@pytest.mark.task("bn_forward")``  the task a test counts towards (required).
``@pytest.mark.gpu``                 needs CUDA; not run (``grader_skipped``) unless the
                                     run grades on a GPU, never counted as passed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import sys
import time
import zlib
from collections.abc import Callable

import numpy as np
import pytest

from autograder.errors import GraderFault, StudentCodeError
from autograder.harness.frozen import FrozenValues
from autograder.outcomes import Outcomes, TestOutcome
from autograder.testing.hints import load_hints, use_hints
from autograder.testing.notes import collect_notes, start_collecting

__all__ = ["CATALOGUE", "RUN", "GradingRun", "assignment_root"]

RUN = pytest.StashKey["GradingRun"]()
CATALOGUE = pytest.StashKey[dict]()       # nodeid -> what collection learned about the test
COLLECT_ERRORS = pytest.StashKey[list]()
MESSAGE_LIMIT = 2000


@dataclasses.dataclass
class GradingRun:
    """One run of the collected tests against one submission.

    ``open_submission``: makes the ``submission`` object (called once, by the first test that
    needs it); ``hidden``: feedback never shows test code or data; ``record``: frozen values are
    recorded instead of compared (``release``); ``frozen_dir``: where frozen values live.
    """

    open_submission: Callable[[], object]
    seed: int
    hidden: bool = True
    gpu: bool = False
    record: bool = False
    frozen_dir: pathlib.Path | None = None
    owner: object | None = None  # autograder.owner.SubmissionOwner of this submission, when the batch knows it
    records: dict[str, dict] = dataclasses.field(default_factory=dict)
    started: float = dataclasses.field(default_factory=time.time)
    submission: object | None = None

    def outcomes(self, collection_errors: list[str]) -> Outcomes:
        """The run's outcomes (what the submission printed, if it ran in a worker, included)."""
        submission = self.submission
        report = getattr(submission, "report", None)
        extra = report() if callable(report) else {}
        return Outcomes(
            tests=[TestOutcome.from_dict(record) for record in self.records.values()],
            seed=self.seed,
            collection_errors=list(collection_errors),
            duration=time.time() - self.started,
            **extra,
        )


def pytest_addoption(parser):
    parser.getgroup("autograder").addoption("--ag-assignment", help="the assignment folder (holding assignment.toml) these tests belong to")


def assignment_root(config) -> pathlib.Path:
    """The folder of the assignment whose tests run: ``--ag-assignment``, else the nearest folder
    above the tests holding an ``assignment.toml``."""
    given = config.getoption("--ag-assignment")
    if given:
        return pathlib.Path(given)
    for folder in [config.rootpath, *config.rootpath.parents]:
        if (folder / "assignment.toml").is_file():
            return folder
    raise pytest.UsageError(f"no assignment.toml above {config.rootpath}")


def pytest_configure(config):
    config.addinivalue_line("markers", "task(id): the graded task this test counts towards")
    config.addinivalue_line("markers", "gpu: needs a CUDA device")
    config.stash[CATALOGUE] = {}
    config.stash[COLLECT_ERRORS] = []
    # The test folder's own helpers module (``from helpers import ...``) and its declared hints.
    tests_dir = str(config.rootpath)
    loaded = sys.modules.get("helpers")
    if loaded is not None and os.path.dirname(getattr(loaded, "__file__", "") or "") != tests_dir:
        del sys.modules["helpers"]  # another test folder's helpers, from an earlier session in this process
    if tests_dir not in sys.path:
        sys.path.insert(0, tests_dir)
    use_hints(load_hints(config.rootpath))


def _run(config) -> GradingRun:
    try:
        return config.stash[RUN]
    except KeyError:
        raise pytest.UsageError("these tests run through autograder.harness.runner (autograder check / grade / validate)") from None


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def seed(request) -> int:
    return _run(request.config).seed


@pytest.fixture(scope="session")
def owner(request):
    """The student (or group) this run grades (:class:`autograder.owner.SubmissionOwner`), or None."""
    from autograder.owner import current_owner

    run = _run(request.config)
    return run.owner if run.owner is not None else current_owner()


@pytest.fixture
def rng(request, seed) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(request.node.nodeid.encode())])


@pytest.fixture(scope="session")
def device(request) -> str:
    return "cuda" if _run(request.config).gpu else "cpu"


@pytest.fixture(scope="session")
def _ag_submission(request):
    run = _run(request.config)
    if run.submission is None:
        run.submission = run.open_submission()
    yield run.submission


@pytest.fixture
def submission(request, _ag_submission):
    if request.node.get_closest_marker("gpu") is not None and _run(request.config).gpu:
        cuda = getattr(_ag_submission, "cuda_available", None)
        if cuda is False:
            raise GraderFault("a GPU was requested, but the worker sees no CUDA device")
    yield _ag_submission
    _ag_submission.reset()


@pytest.fixture(scope="module")
def frozen(request):
    run = _run(request.config)
    module_path = pathlib.Path(str(request.module.__file__))
    directory = run.frozen_dir or module_path.parent / "expected"
    store = FrozenValues(directory / f"{module_path.stem}.npz", recording=run.record)
    yield store
    store.save()


# --------------------------------------------------------------------------- collection


def pytest_collection_modifyitems(session, config, items):
    catalogue = config.stash[CATALOGUE]
    for item in items:
        marker = item.get_closest_marker("task")
        catalogue[item.nodeid] = {
            "nodeid": item.nodeid,
            "name": item.name,
            "doc": _first_line(getattr(item.obj, "__doc__", None)) if hasattr(item, "obj") else "",
            "task": marker.args[0] if marker and marker.args else None,
            "gpu": item.get_closest_marker("gpu") is not None,
        }
        # A failure's message is built from the exception (_failure_message); pytest's formatted
        # traceback (the report's longrepr) is never shown (-q --tb=no), and formatting it cost a
        # fifth of grading a submission that fails most tests.
        item.repr_failure = _exception_only
        item._repr_failure_py = _exception_only


def _exception_only(excinfo, *args, **kwargs) -> str:
    """The failure's ``Type: message`` line, what pytest's report keeps instead of the formatted traceback."""
    return excinfo.exconly()


def new_records(config, items) -> dict[str, dict]:
    """Fresh outcome records (all ``not_run``) for the collected ``items``, in order."""
    catalogue = config.stash[CATALOGUE]
    return {item.nodeid: {**catalogue[item.nodeid], "outcome": "not_run", "message": "", "duration": 0.0,
                          "hints": [], "notes": [], "data": {}} for item in items}


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        collector.config.stash[COLLECT_ERRORS].append(f"{report.nodeid}: {str(report.longrepr)[-MESSAGE_LIMIT:]}")


# --------------------------------------------------------------------------- outcomes


def pytest_runtest_setup(item):
    start_collecting()
    if item.get_closest_marker("gpu") is not None and not _run(item.config).gpu:
        pytest.skip("needs a GPU (grade with --gpus to run it)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report_outcome = yield
    report = report_outcome.get_result()
    run = item.config.stash.get(RUN, None)
    record = run.records.get(item.nodeid) if run is not None else None
    if record is None:
        return
    record["duration"] += report.duration
    if report.user_properties:
        record["data"].update(_plain_properties(report.user_properties))
    if report.when == "call":
        record["notes"] = collect_notes()
        hint = getattr(call.excinfo.value, "hint", None) if call.excinfo is not None else None
        if isinstance(hint, str):
            record["hints"].append(hint)
    if report.when == "call" and report.passed:
        if record["outcome"] == "not_run":
            record["outcome"] = "passed"
    elif report.failed:
        if call.excinfo is not None and isinstance(call.excinfo.value, GraderFault):
            # The sandbox failed, not the student: the whole run becomes a grader error (retried).
            record["outcome"] = "grader_fault"
            record["message"] = str(call.excinfo.value)[:MESSAGE_LIMIT]
            return
        record["outcome"] = "failed"
        if not record["message"]:
            record["message"] = _failure_message(call, run.hidden, report.when)
    elif report.skipped:
        reason = _skip_reason(report)
        if record["gpu"] and not run.gpu:
            record["outcome"] = "grader_skipped"
        else:
            # A skip requested by student code (pytest.skip, unittest.SkipTest) is a failure.
            record["outcome"] = "failed"
        record["message"] = reason


DATA_VALUE_LIMIT = 1000


def _plain_properties(properties) -> dict:
    """``record_property(name, value)`` pairs -> a JSON-able dict for the outcome's ``data``.

    What a test records for instructors (a question assignment's normalised answer);
    a value JSON cannot hold, or a long one, is kept as capped text.
    """
    data = {}
    for name, value in list(properties)[:20]:
        try:
            text = json.dumps(value)
        except (TypeError, ValueError):
            value, text = str(value)[:DATA_VALUE_LIMIT], ""
        if len(text) > DATA_VALUE_LIMIT:
            value = text[:DATA_VALUE_LIMIT]
        data[str(name)[:100]] = value
    return data


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
